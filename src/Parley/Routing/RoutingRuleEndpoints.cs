using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Triage;

namespace Parley.Routing;

public sealed record RoutingRuleDto(Guid Id, Guid BrandId, Guid TeamId, string Name, int Order, bool Enabled, string? ChannelKind,
    string? Language, IReadOnlyList<string> Keywords, int? MinPriority, DateTimeOffset CreatedAt)
{
    public static RoutingRuleDto From(RoutingRuleRecord r) => new(r.Id, r.BrandId, r.TeamId, r.Name, r.Order, r.Enabled, r.ChannelKind,
        r.Language, r.KeywordList, r.MinPriority, r.CreatedAt);
}

/// <summary>Every condition given must hold: the channel, the language, any one of the keywords (whole words),
/// a priority of at least <paramref name="MinPriority"/> (0-100). Omitted conditions match anything.</summary>
/// <param name="TeamId">The team whose queue takes the conversations the rule matches.</param>
/// <param name="Order">Rules are tried lowest first; the first match decides.</param>
public sealed record RoutingRuleRequest(Guid? BrandId, Guid? TeamId, string? Name, int? Order, bool? Enabled, string? ChannelKind,
    string? Language, IReadOnlyList<string>? Keywords, int? MinPriority);

/// <summary>A post to try the brand's rules on.</summary>
public sealed record RoutingPreviewRequest(Guid? BrandId, string? ChannelKind, string? Text, string? Visibility);

/// <param name="TeamId">The queue the post would land in; null: the brand's front line (no rule matched).</param>
public sealed record RoutingPreviewDto(Guid? TeamId, Guid? RuleId, string? Rule, string? Language, int Priority);

/// <summary>Routing rules as data, per brand: which team's queue a new conversation lands in.</summary>
public static partial class RoutingRuleEndpoints
{
    public static void MapRoutingRuleEndpoints(this IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/routing-rules").WithTags("Routing");
        rules.MapGet("/", ListAsync).WithSummary("The routing rules of the caller's brands, in the order they are tried.");
        rules.MapGet("/{id:guid}", GetAsync).WithSummary("One routing rule.");
        rules.MapPost("/", CreateAsync).WithSummary("Adds a routing rule (leads and admins). New conversations are routed by the rules in order.");
        rules.MapPut("/{id:guid}", UpdateAsync).WithSummary("Replaces a routing rule (leads and admins).");
        rules.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Removes a routing rule (leads and admins).");
        rules.MapPost("/preview", PreviewAsync).WithSummary("Which queue a post would land in under the brand's current rules, with its language guess and priority.");
    }

    private static async Task<Ok<List<RoutingRuleDto>>> ListAsync(ParleyDb db, Viewer viewer, Guid? brandId, CancellationToken ct)
    {
        var brands = viewer.BrandIds.ToArray();
        var query = db.RoutingRules.AsNoTracking();
        if (!viewer.SeesEverything) query = query.Where(r => brands.Contains(r.BrandId));
        if (brandId is { } b) query = query.Where(r => r.BrandId == b);
        var list = await query.OrderBy(r => r.BrandId).ThenBy(r => r.Order).ThenBy(r => r.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(list.Select(RoutingRuleDto.From).ToList());
    }

    private static async Task<Results<Ok<RoutingRuleDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct) =>
        await db.RoutingRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r && viewer.SeesBrand(r.BrandId)
            ? TypedResults.Ok(RoutingRuleDto.From(r)) : Problems.NotFound("routing rule", id);

    private static async Task<Results<Created<RoutingRuleDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        RoutingRuleRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!RoutingAccess.CanManage(viewer, request.BrandId!.Value)) return RoutingAccess.LeadsOnly("routing rules");
        var now = clock.GetUtcNow();
        var rule = new RoutingRuleRecord { BrandId = request.BrandId.Value, CreatedAt = now };
        Apply(rule, request);
        db.RoutingRules.Add(rule);
        db.Append("routing_rule.created", $"routing-rules/{rule.Id}", rule.BrandId, new RoutingRuleChangedData(RoutingRuleDto.From(rule), viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/routing-rules/{rule.Id}", RoutingRuleDto.From(rule));
    }

    private static async Task<Results<Ok<RoutingRuleDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, RoutingRuleRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null || !viewer.SeesBrand(rule.BrandId)) return Problems.NotFound("routing rule", id);
        if (!RoutingAccess.CanManage(viewer, rule.BrandId)) return RoutingAccess.LeadsOnly("routing rules");
        var errors = await ValidateAsync(request with { BrandId = rule.BrandId }, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        Apply(rule, request);
        db.Append("routing_rule.changed", $"routing-rules/{rule.Id}", rule.BrandId, new RoutingRuleChangedData(RoutingRuleDto.From(rule), viewer.Name), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(RoutingRuleDto.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null || !viewer.SeesBrand(rule.BrandId)) return Problems.NotFound("routing rule", id);
        if (!RoutingAccess.CanManage(viewer, rule.BrandId)) return RoutingAccess.LeadsOnly("routing rules");
        db.RoutingRules.Remove(rule);
        db.Append("routing_rule.deleted", $"routing-rules/{rule.Id}", rule.BrandId, new DeletedByNameData(id, rule.Name, viewer.Name), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RoutingPreviewDto>, ProblemHttpResult, ValidationProblem>> PreviewAsync(
        RoutingPreviewRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.BrandId is null) errors["brandId"] = ["'brandId' is required."];
        if (request.ChannelKind is not ("x" or "meta")) errors["channelKind"] = ["'channelKind' is 'x' or 'meta'."];
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > 10_000) errors["text"] = ["'text' is 1 to 10,000 characters."];
        if (request.Visibility is not (null or "public" or "private")) errors["visibility"] = ["'visibility' is 'public' or 'private'."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var brandId = request.BrandId!.Value;
        if (!viewer.SeesBrand(brandId)) return Problems.NotFound("brand", brandId);
        var rules = (await db.RoutingRules.AsNoTracking().Where(r => r.BrandId == brandId && r.Enabled)
            .OrderBy(r => r.Order).ThenBy(r => r.CreatedAt).ToListAsync(ct)).Select(r => r.ToRule());
        var facts = RoutingFactsReader.FromPost(brandId, request.ChannelKind!, request.Text!,
            request.Visibility == "private" ? PostVisibility.Private : PostVisibility.Public, 0, false, clock.GetUtcNow());
        var match = RouteToQueue.For(facts, rules);
        return TypedResults.Ok(new RoutingPreviewDto(match?.TeamId, match?.Rule.Id, match?.Rule.Name, facts.Language, facts.Priority));
    }

    private static void Apply(RoutingRuleRecord rule, RoutingRuleRequest q)
    {
        rule.TeamId = q.TeamId!.Value;
        rule.Name = q.Name!.Trim();
        rule.Order = q.Order ?? 0;
        rule.Enabled = q.Enabled ?? true;
        rule.ChannelKind = q.ChannelKind;
        rule.Language = q.Language?.Trim().ToLowerInvariant();
        rule.Keywords = JsonSerializer.Serialize((q.Keywords ?? []).Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList());
        rule.MinPriority = q.MinPriority;
    }

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex LanguageCode();

    private static async Task<Dictionary<string, string[]>> ValidateAsync(RoutingRuleRequest q, ParleyDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (q.BrandId is not { } brandId || !await db.Brands.AnyAsync(b => b.Id == brandId, ct))
            errors["brandId"] = ["'brandId' must name an existing brand."];
        else if (q.TeamId is not { } teamId || !await db.Teams.AnyAsync(t => t.Id == teamId && t.BrandId == brandId, ct))
            errors["teamId"] = ["'teamId' must name a team of the brand: its queue takes what the rule matches."];
        if (string.IsNullOrWhiteSpace(q.Name) || q.Name.Trim().Length > 200) errors["name"] = ["A rule needs a name of 1 to 200 characters."];
        if (q.ChannelKind is not (null or "x" or "meta")) errors["channelKind"] = ["'channelKind' is 'x', 'meta' or omitted for any."];
        if (q.Language is { } language && !LanguageCode().IsMatch(language.Trim().ToLowerInvariant()))
            errors["language"] = ["'language' is a two-letter code such as 'es', or omitted for any."];
        if (q.Keywords is { } keywords && (keywords.Count > 100 || keywords.Any(k => k is null || k.Trim().Length is 0 or > 100)))
            errors["keywords"] = ["At most 100 keywords of 1 to 100 characters each."];
        if (q.MinPriority is < 0 or > 100) errors["minPriority"] = ["'minPriority' is between 0 and 100."];
        if (q.Order is < -1_000_000 or > 1_000_000) errors["order"] = ["'order' is between -1,000,000 and 1,000,000."];
        return errors;
    }
}
