using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Templates;

public sealed record TemplateDto(Guid Id, Guid BrandId, Guid? TeamId, string Name, string Text, IReadOnlyList<string> Variables,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public static TemplateDto From(ReplyTemplate t) => new(t.Id, t.BrandId, t.TeamId, t.Name, t.Text, TemplateVariables.Used(t.Text),
        t.CreatedAt, t.UpdatedAt, t.UpdatedBy);
}

/// <param name="TeamId">Offer it only to this team's agents; omit for the whole brand.</param>
/// <param name="Text">The reply; variables: {customer.name}, {customer.firstName}, {customer.handle}, {agent.name},
/// {agent.firstName}, {brand.name}, {conversation.orderNumber}.</param>
public sealed record TemplateRequest(Guid? BrandId, Guid? TeamId, string? Name, string? Text);

/// <param name="Missing">Variables without a value for this conversation; they stay in the text for the agent to fill in.</param>
public sealed record RenderedTemplateDto(Guid TemplateId, Guid ConversationId, string Text, IReadOnlyList<string> Missing);

public sealed record TemplateVariableDto(string Name, string Meaning);

/// <summary>Saved replies per brand and team: managed by leads, searched and filled in from the composer.</summary>
public static class TemplateEndpoints
{
    private static readonly Dictionary<string, string> Meanings = new()
    {
        ["customer.name"] = "The customer's name as their network shows it.",
        ["customer.firstName"] = "The first word of the customer's name.",
        ["customer.handle"] = "The customer's @handle.",
        ["agent.name"] = "The name of the person replying.",
        ["agent.firstName"] = "The first word of the replying person's name.",
        ["brand.name"] = "The brand's name.",
        ["conversation.orderNumber"] = "The order, booking or account number the customer mentioned most recently (\"order #A1234\").",
    };

    public static void MapTemplateEndpoints(this IEndpointRouteBuilder api)
    {
        var templates = api.MapGroup("/templates").WithTags("Templates");
        templates.MapGet("/", ListAsync)
            .WithSummary("Saved replies the caller may use, searched by name and text (q); with conversationId, those that fit that conversation's brand and team.");
        templates.MapGet("/variables", () => TypedResults.Ok(TemplateVariables.Known.Select(k => new TemplateVariableDto(k, Meanings[k])).ToList()))
            .WithSummary("The variables templates may use.");
        templates.MapGet("/{id:guid}", GetAsync).WithSummary("One saved reply.");
        templates.MapGet("/{id:guid}/render", RenderAsync)
            .WithSummary("The saved reply with its variables filled in for a conversation and the caller; variables without a value are listed as missing.");
        templates.MapPost("/", CreateAsync).WithSummary("Adds a saved reply for a brand or one of its teams (leads and admins).");
        templates.MapPut("/{id:guid}", UpdateAsync).WithSummary("Replaces a saved reply (leads and admins).");
        templates.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Removes a saved reply (leads and admins).");
    }

    /// <summary>Templates of the caller's brands: the brand-wide ones and their teams' (leads and admins: every team's).</summary>
    private static IQueryable<ReplyTemplate> Usable(ParleyDb db, Viewer viewer)
    {
        var query = db.Templates.AsNoTracking();
        if (viewer.SeesEverything) return query;
        var brands = viewer.BrandIds.ToArray();
        var teams = viewer.TeamIds.ToArray();
        return viewer.Role == UserRole.Lead
            ? query.Where(t => brands.Contains(t.BrandId))
            : query.Where(t => brands.Contains(t.BrandId) && (t.TeamId == null || teams.Contains(t.TeamId.Value)));
    }

    /// <param name="q">Words in the name or text.</param>
    /// <param name="conversationId">Only templates for this conversation's brand, brand-wide or for its team or the caller's.</param>
    private static async Task<Results<Ok<List<TemplateDto>>, ProblemHttpResult>> ListAsync(ParleyDb db, Viewer viewer, Guid? brandId, Guid? teamId,
        string? q, Guid? conversationId, int? limit, CancellationToken ct)
    {
        var query = Usable(db, viewer);
        if (brandId is { } b) query = query.Where(t => t.BrandId == b);
        if (teamId is { } team) query = query.Where(t => t.TeamId == team);
        if (conversationId is { } id)
        {
            var c = await viewer.Visible(db.Conversations.AsNoTracking()).Where(x => x.Id == id).Select(x => new { x.BrandId, x.TeamId }).FirstOrDefaultAsync(ct);
            if (c is null) return Problems.NotFound("conversation", id);
            var mine = viewer.TeamIds.ToArray();
            query = query.Where(t => t.BrandId == c.BrandId && (t.TeamId == null || t.TeamId == c.TeamId || mine.Contains(t.TeamId.Value)));
        }
#pragma warning disable CA1862 // EF translates ToLower().Contains on both providers; the StringComparison overloads it cannot.
        foreach (var word in (q ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(10))
        {
            var w = word.ToLowerInvariant();
            query = query.Where(t => t.Name.ToLower().Contains(w) || t.Text.ToLower().Contains(w));
        }
#pragma warning restore CA1862
        var list = await query.OrderBy(t => t.Name).ThenBy(t => t.Id).Take(Math.Clamp(limit ?? 50, 1, 200)).ToListAsync(ct);
        return TypedResults.Ok(list.Select(TemplateDto.From).ToList());
    }

    private static async Task<Results<Ok<TemplateDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct) =>
        await Usable(db, viewer).FirstOrDefaultAsync(t => t.Id == id, ct) is { } t ? TypedResults.Ok(TemplateDto.From(t)) : Problems.NotFound("template", id);

    private static async Task<Results<Ok<RenderedTemplateDto>, ProblemHttpResult, ValidationProblem>> RenderAsync(
        Guid id, Guid? conversationId, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (conversationId is not { } cid)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["conversationId"] = ["'conversationId' is required: whose values fill the variables."] });
        var template = await Usable(db, viewer).FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null) return Problems.NotFound("template", id);
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == cid, ct);
        if (conversation is null) return Problems.NotFound("conversation", cid);
        if (conversation.BrandId != template.BrandId)
            return Problems.Conflict("Another brand's template", "This saved reply belongs to another brand than the conversation.");
        var agent = viewer.IsPerson ? viewer.Name : null;
        var rendered = TemplateVariables.Render(template.Text, await TemplateContext.ForAsync(db, conversation, agent, ct));
        return TypedResults.Ok(new RenderedTemplateDto(id, cid, rendered.Text, rendered.Missing));
    }

    private static async Task<Results<Created<TemplateDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        TemplateRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!RoutingAccess.CanManage(viewer, request.BrandId!.Value)) return RoutingAccess.LeadsOnly("saved replies");
        var now = clock.GetUtcNow();
        var template = new ReplyTemplate { BrandId = request.BrandId.Value, CreatedAt = now };
        Apply(template, request, viewer, now);
        db.Templates.Add(template);
        db.Append("template.created", $"templates/{template.Id}", template.BrandId, TemplateDto.From(template), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/templates/{template.Id}", TemplateDto.From(template));
    }

    private static async Task<Results<Ok<TemplateDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, TemplateRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var template = await db.Templates.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null || !viewer.SeesBrand(template.BrandId)) return Problems.NotFound("template", id);
        if (!RoutingAccess.CanManage(viewer, template.BrandId)) return RoutingAccess.LeadsOnly("saved replies");
        var errors = await ValidateAsync(request with { BrandId = template.BrandId }, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        Apply(template, request, viewer, now);
        db.Append("template.changed", $"templates/{template.Id}", template.BrandId, TemplateDto.From(template), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(TemplateDto.From(template));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var template = await db.Templates.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null || !viewer.SeesBrand(template.BrandId)) return Problems.NotFound("template", id);
        if (!RoutingAccess.CanManage(viewer, template.BrandId)) return RoutingAccess.LeadsOnly("saved replies");
        db.Templates.Remove(template);
        db.Append("template.deleted", $"templates/{id}", template.BrandId, new DeletedByNameData(id, template.Name, viewer.Name), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static void Apply(ReplyTemplate t, TemplateRequest q, Viewer viewer, DateTimeOffset now)
    {
        t.TeamId = q.TeamId;
        t.Name = q.Name!.Trim();
        t.Text = q.Text!.Trim();
        t.UpdatedAt = now;
        t.UpdatedBy = viewer.Name;
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(TemplateRequest q, ParleyDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (q.BrandId is not { } brandId || !await db.Brands.AnyAsync(b => b.Id == brandId, ct))
            errors["brandId"] = ["'brandId' must name an existing brand."];
        else if (q.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId && t.BrandId == brandId, ct))
            errors["teamId"] = ["'teamId' must name a team of the brand, or be omitted for the whole brand."];
        if (string.IsNullOrWhiteSpace(q.Name) || q.Name.Trim().Length > 200) errors["name"] = ["A saved reply needs a name of 1 to 200 characters."];
        if (string.IsNullOrWhiteSpace(q.Text) || q.Text.Trim().Length > 8_000) errors["text"] = ["A saved reply needs a text of 1 to 8,000 characters."];
        else if (TemplateVariables.Unknown(q.Text) is { Count: > 0 } unknown)
            errors["text"] = [$"Unknown variable {string.Join(", ", unknown.Select(u => "{" + u + "}"))}; known: {string.Join(", ", TemplateVariables.Known.Select(k => "{" + k + "}"))}."];
        return errors;
    }
}
