using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Promises;

public sealed record TimerRuleDto(Guid Id, Guid BrandId, string Name, bool Enabled, string Condition, TimeSpan After, string Action,
    Guid? TeamId, string? ChannelKind, Guid? EscalateToUserId, string? Message, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TimerRuleDto From(TimerRule r) => new(r.Id, r.BrandId, r.Name, r.Enabled, TimerRuleNames.Of(r.Condition), r.After,
        TimerRuleNames.Of(r.Action), r.TeamId, r.ChannelKind, r.EscalateToUserId, r.Message, r.CreatedAt, r.UpdatedAt);
}

/// <param name="Condition">notAcknowledged, awaitingReply or customerSilent.</param>
/// <param name="After">How long the condition must hold, as "d.hh:mm:ss" (at least a minute, at most a year).</param>
/// <param name="Action">reassign, escalate, askIfResolved (needs a message) or close.</param>
/// <param name="TeamId">Only conversations in this team's queue; omit for any.</param>
/// <param name="EscalateToUserId">For escalate: who; omit for a lead of the conversation's team.</param>
/// <param name="Message">For askIfResolved: the text sent to the customer; {customer.name} and the other template variables work.</param>
public sealed record TimerRuleRequest(Guid? BrandId, string? Name, bool? Enabled, string? Condition, TimeSpan? After, string? Action,
    Guid? TeamId, string? ChannelKind, Guid? EscalateToUserId, string? Message);

/// <param name="DueAt">When it fires (or fired) for the current episode.</param>
public sealed record ConversationTimerDto(Guid RuleId, string Rule, string Condition, string Action, DateTimeOffset DueAt, bool Fired);

/// <summary>Timer rules as data: leads say what happens when a conversation waits too long.</summary>
public static class TimerRuleEndpoints
{
    public static void MapTimerRuleEndpoints(this IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/timer-rules").WithTags("Timer rules");
        rules.MapGet("/", ListAsync).WithSummary("The timer rules of the caller's brands.");
        rules.MapGet("/{id:guid}", GetAsync).WithSummary("One timer rule.");
        rules.MapPost("/", CreateAsync).WithSummary("Adds a timer rule: when a condition has held for a while, reassign, escalate, ask whether resolved, or close (leads and admins).");
        rules.MapPut("/{id:guid}", UpdateAsync).WithSummary("Replaces a timer rule (leads and admins). Open conversations are evaluated again.");
        rules.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Removes a timer rule (leads and admins). What it already did stays in the event log.");
        api.MapGet("/conversations/{id:guid}/timers", ForConversationAsync).WithTags("Timer rules")
            .WithSummary("The timer rules that apply to a conversation now, when each fires (or fired) and whether it has.");
    }

    private static async Task<Ok<List<TimerRuleDto>>> ListAsync(ParleyDb db, Viewer viewer, Guid? brandId, CancellationToken ct)
    {
        var brands = viewer.BrandIds.ToArray();
        var query = db.TimerRules.AsNoTracking();
        if (!viewer.SeesEverything) query = query.Where(r => brands.Contains(r.BrandId));
        if (brandId is { } b) query = query.Where(r => r.BrandId == b);
        // SQLite cannot sort durations; a brand has a handful of rules.
        var list = await query.ToListAsync(ct);
        return TypedResults.Ok(list.OrderBy(r => r.BrandId).ThenBy(r => r.After).ThenBy(r => r.CreatedAt).Select(TimerRuleDto.From).ToList());
    }

    private static async Task<Results<Ok<TimerRuleDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct) =>
        await db.TimerRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r && viewer.SeesBrand(r.BrandId)
            ? TypedResults.Ok(TimerRuleDto.From(r)) : Problems.NotFound("timer rule", id);

    private static async Task<Results<Created<TimerRuleDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        TimerRuleRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!RoutingAccess.CanManage(viewer, request.BrandId!.Value)) return RoutingAccess.LeadsOnly("timer rules");
        var now = clock.GetUtcNow();
        var rule = new TimerRule { BrandId = request.BrandId.Value, CreatedAt = now };
        Apply(rule, request, now);
        db.TimerRules.Add(rule);
        db.Append("timer_rule.created", $"timer-rules/{rule.Id}", rule.BrandId, new TimerRuleChangedData(TimerRuleDto.From(rule), viewer.Name), now);
        await db.SaveChangesAsync(ct);
        await RecheckAsync(db, rule.BrandId, ct);
        return TypedResults.Created($"/api/v1/timer-rules/{rule.Id}", TimerRuleDto.From(rule));
    }

    private static async Task<Results<Ok<TimerRuleDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, TimerRuleRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.TimerRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null || !viewer.SeesBrand(rule.BrandId)) return Problems.NotFound("timer rule", id);
        if (!RoutingAccess.CanManage(viewer, rule.BrandId)) return RoutingAccess.LeadsOnly("timer rules");
        var errors = await ValidateAsync(request with { BrandId = rule.BrandId }, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        Apply(rule, request, now);
        db.Append("timer_rule.changed", $"timer-rules/{rule.Id}", rule.BrandId, new TimerRuleChangedData(TimerRuleDto.From(rule), viewer.Name), now);
        await db.SaveChangesAsync(ct);
        await RecheckAsync(db, rule.BrandId, ct);
        return TypedResults.Ok(TimerRuleDto.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var rule = await db.TimerRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null || !viewer.SeesBrand(rule.BrandId)) return Problems.NotFound("timer rule", id);
        if (!RoutingAccess.CanManage(viewer, rule.BrandId)) return RoutingAccess.LeadsOnly("timer rules");
        db.TimerRules.Remove(rule);
        db.Append("timer_rule.deleted", $"timer-rules/{rule.Id}", rule.BrandId, new DeletedByNameData(id, rule.Name, viewer.Name), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<ConversationTimerDto>>, ProblemHttpResult>> ForConversationAsync(
        Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var rules = await db.TimerRules.AsNoTracking().Where(r => r.BrandId == conversation.BrandId && r.Enabled).ToListAsync(ct);
        var facts = await TimerSweep.ReadFactsAsync(db, conversation, ct);
        var fired = (await db.FiredTimerRules.AsNoTracking().Where(f => f.ConversationId == id).Select(f => new { f.RuleId, f.Episode }).ToListAsync(ct))
            .Select(f => (f.RuleId, f.Episode)).ToHashSet();
        var list = new List<ConversationTimerDto>();
        if (conversation.Status == Conversations.ConversationStatus.Open)
        {
            foreach (var rule in rules.Where(r => (r.TeamId is null || r.TeamId == facts.TeamId) && (r.ChannelKind is null || r.ChannelKind == facts.ChannelKind)))
            {
                if (TimerRuleEvaluation.Start(rule.Condition, facts) is not { } start) continue;
                list.Add(new ConversationTimerDto(rule.Id, rule.Name, TimerRuleNames.Of(rule.Condition), TimerRuleNames.Of(rule.Action),
                    start.Since + rule.After, fired.Contains((rule.Id, start.Episode))));
            }
        }
        return TypedResults.Ok(list.OrderBy(t => t.DueAt).ToList());
    }

    // Changed rules change every open conversation's schedule: have the sweep look at the brand's again.
    private static Task<int> RecheckAsync(ParleyDb db, Guid brandId, CancellationToken ct) =>
        db.Conversations.Where(c => c.BrandId == brandId && c.Status == Conversations.ConversationStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextTimerCheckAt, (DateTimeOffset?)null), ct);

    private static void Apply(TimerRule rule, TimerRuleRequest q, DateTimeOffset now)
    {
        rule.Name = q.Name!.Trim();
        rule.Enabled = q.Enabled ?? true;
        rule.Condition = TimerRuleNames.Condition(q.Condition)!.Value;
        rule.After = q.After!.Value;
        rule.Action = TimerRuleNames.Action(q.Action)!.Value;
        rule.TeamId = q.TeamId;
        rule.ChannelKind = q.ChannelKind;
        rule.EscalateToUserId = rule.Action == TimerAction.Escalate ? q.EscalateToUserId : null;
        rule.Message = rule.Action == TimerAction.AskIfResolved ? q.Message!.Trim() : null;
        rule.UpdatedAt = now;
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(TimerRuleRequest q, ParleyDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (q.BrandId is not { } brandId || !await db.Brands.AnyAsync(b => b.Id == brandId, ct))
            errors["brandId"] = ["'brandId' must name an existing brand."];
        if (string.IsNullOrWhiteSpace(q.Name) || q.Name.Trim().Length > 200) errors["name"] = ["A rule needs a name of 1 to 200 characters."];
        if (TimerRuleNames.Condition(q.Condition) is null) errors["condition"] = ["'condition' is notAcknowledged, awaitingReply or customerSilent."];
        if (q.After is not { } after || after < TimeSpan.FromMinutes(1) || after > TimeSpan.FromDays(365))
            errors["after"] = ["'after' is between one minute (\"00:01:00\") and a year (\"365.00:00:00\")."];
        var action = TimerRuleNames.Action(q.Action);
        if (action is null) errors["action"] = ["'action' is reassign, escalate, askIfResolved or close."];
        if (action == TimerAction.AskIfResolved && (string.IsNullOrWhiteSpace(q.Message) || q.Message.Trim().Length > 2_000))
            errors["message"] = ["askIfResolved needs the 'message' to send, up to 2,000 characters."];
        else if (q.Message is { } message && Templates.TemplateVariables.Unknown(message) is { Count: > 0 } unknown)
            errors["message"] = [$"Unknown variable {string.Join(", ", unknown.Select(u => "{" + u + "}"))}; known: {string.Join(", ", Templates.TemplateVariables.Known.Select(k => "{" + k + "}"))}."];
        if (q.ChannelKind is not (null or "x" or "meta")) errors["channelKind"] = ["'channelKind' is 'x', 'meta' or omitted for any."];
        if (q.TeamId is { } teamId && q.BrandId is { } b && !await db.Teams.AnyAsync(t => t.Id == teamId && t.BrandId == b, ct))
            errors["teamId"] = ["'teamId' must name a team of the brand, or be omitted for any."];
        if (action == TimerAction.Escalate && q.EscalateToUserId is { } userId && !await db.Users.AnyAsync(u => u.Id == userId && u.DisabledAt == null, ct))
            errors["escalateToUserId"] = [$"No active person has the id {userId}."];
        return errors;
    }
}
