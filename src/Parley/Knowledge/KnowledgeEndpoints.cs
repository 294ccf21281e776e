using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Knowledge;

public sealed record KnowledgeRequest(Guid? BrandId, string? Title, string? Body, IReadOnlyList<string>? Tags);

/// <param name="Excerpt">Around the first search word in the body (the body's start without a search).</param>
public sealed record KnowledgeArticleDto(Guid Id, Guid BrandId, string Title, string Body, string Excerpt, IReadOnlyList<string> Tags,
    string UpdatedBy, string UpdatedByKind, Guid? UpdatedByAppId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A small knowledge base per brand (docs/adr/0017): apps with knowledge:write (and admins, the brand's leads)
/// write articles; anyone who may read the brand's conversations searches them, e.g. from the conversation page
/// beside saved replies. Search matches every word of <c>q</c> in title, body or tags, case-insensitively, the same
/// way on both databases; newest first. A few thousand articles per brand is the scale this is built for.</summary>
public static class KnowledgeEndpoints
{
    public const int MaxTitle = 200;
    public const int MaxBody = 20_000;

    public static void MapKnowledge(this IEndpointRouteBuilder knowledge)
    {
        knowledge.MapGet("/", SearchAsync).WithSummary("Searches the knowledge bases of the brands the caller may see: every word of q in title, body or tags; newest first.");
        knowledge.MapGet("/{id:guid}", GetAsync).WithSummary("One knowledge article.");
        knowledge.MapPost("/", CreateAsync).WithSummary("Adds an article to a brand's knowledge base (title, body, tags), credited to the caller.");
        knowledge.MapPut("/{id:guid}", UpdateAsync).WithSummary("Replaces an article's title, body and tags.");
        knowledge.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Removes an article.");
    }

    private static bool MayWrite(Viewer viewer, Guid brandId) =>
        viewer.SeesBrand(brandId) && (viewer.IsAdmin || viewer.Role == UserRole.Lead);

    /// <param name="q">Words to look for; omitted: the newest articles.</param>
    /// <param name="brandId">Only this brand's articles.</param>
    private static async Task<Results<Ok<List<KnowledgeArticleDto>>, ValidationProblem>> SearchAsync(
        ParleyDb db, Viewer viewer, string? q, Guid? brandId, int? limit, CancellationToken ct)
    {
        var take = limit ?? 20;
        var words = (q ?? "").ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct().Take(10).ToList();
        if (take is < 1 or > 100) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["'limit' is between 1 and 100."] });
        if (q is { Length: > 200 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["q"] = ["'q' has at most 200 characters."] });

        var query = db.KnowledgeArticles.AsNoTracking();
        if (!viewer.SeesEverything)
        {
            var brands = viewer.BrandIds.ToArray();
            query = query.Where(a => brands.Contains(a.BrandId));
        }
        if (brandId is { } b) query = query.Where(a => a.BrandId == b);
        foreach (var word in words) query = query.Where(a => a.SearchText.Contains(word));
        var found = await query.OrderByDescending(a => a.UpdatedAt).ThenBy(a => a.Id).Take(take).ToListAsync(ct);
        return TypedResults.Ok(found.Select(a => ToDto(a, words.FirstOrDefault())).ToList());
    }

    private static async Task<Results<Ok<KnowledgeArticleDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var article = await db.KnowledgeArticles.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        return article is null || !viewer.SeesBrand(article.BrandId) ? Problems.NotFound("knowledge article", id) : TypedResults.Ok(ToDto(article, null));
    }

    private static async Task<Results<Created<KnowledgeArticleDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        KnowledgeRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request);
        if (request.BrandId is not { } brandId || !viewer.SeesBrand(brandId) || !await db.Brands.AnyAsync(x => x.Id == brandId, ct))
            errors["brandId"] = ["'brandId' is a brand whose knowledge base you may write."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!MayWrite(viewer, request.BrandId!.Value)) return NotAllowed();
        var now = clock.GetUtcNow();
        var article = new KnowledgeArticle { BrandId = request.BrandId!.Value, CreatedAt = now };
        Apply(article, request, Credit.Of(viewer), now);
        db.KnowledgeArticles.Add(article);
        Log(db, "knowledge.published", article, now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/knowledge/{article.Id}", ToDto(article, null));
    }

    private static async Task<Results<Ok<KnowledgeArticleDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, KnowledgeRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var article = await db.KnowledgeArticles.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null || !viewer.SeesBrand(article.BrandId)) return Problems.NotFound("knowledge article", id);
        var errors = Validate(request);
        if (request.BrandId is { } b && b != article.BrandId) errors["brandId"] = ["An article stays in its brand; omit 'brandId' or repeat it."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (!MayWrite(viewer, article.BrandId)) return NotAllowed();
        var now = clock.GetUtcNow();
        Apply(article, request, Credit.Of(viewer), now);
        Log(db, "knowledge.updated", article, now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(article, null));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var article = await db.KnowledgeArticles.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null || !viewer.SeesBrand(article.BrandId)) return Problems.NotFound("knowledge article", id);
        if (!MayWrite(viewer, article.BrandId)) return NotAllowed();
        var now = clock.GetUtcNow();
        db.KnowledgeArticles.Remove(article);
        var by = Credit.Of(viewer);
        db.Append("knowledge.deleted", $"knowledge/{id}", article.BrandId, new KnowledgeDeletedData(id, article.Title, by.Name, by.Kind, by.AppId), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotAllowed() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
        detail: "Admins, the brand's leads and apps with knowledge:write write the knowledge base.");

    private static Dictionary<string, string[]> Validate(KnowledgeRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var title = request.Title?.Trim() ?? "";
        var body = request.Body?.Trim() ?? "";
        if (title.Length is 0 or > MaxTitle) errors["title"] = [$"'title' has 1 to {MaxTitle} characters."];
        if (body.Length is 0 or > MaxBody) errors["body"] = [$"'body' has 1 to {MaxBody} characters."];
        var tags = request.Tags ?? [];
        if (tags.Count > 10 || tags.Any(t => Conversations.Tags.Normalize(t) is null))
            errors["tags"] = ["'tags' is at most 10 tags, each 1 to 50 characters of a-z, 0-9, '_', ':', '.' and '-'."];
        return errors;
    }

    private static void Apply(KnowledgeArticle article, KnowledgeRequest request, Credit by, DateTimeOffset now)
    {
        article.Title = request.Title!.Trim();
        article.Body = request.Body!.Trim();
        article.Tags = string.Join(' ', (request.Tags ?? []).Select(t => Conversations.Tags.Normalize(t)!).Distinct());
        article.SearchText = $"{article.Title}\n{article.Body}\n{article.Tags}".ToLowerInvariant();
        article.UpdatedBy = by.Name;
        article.UpdatedByUserId = by.UserId;
        article.UpdatedByAppId = by.AppId;
        article.UpdatedAt = now;
    }

    private static void Log(ParleyDb db, string type, KnowledgeArticle a, DateTimeOffset now) =>
        db.Append(type, $"knowledge/{a.Id}", a.BrandId, new KnowledgeArticleData(a.Id, a.BrandId, a.Title, a.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            a.UpdatedBy, Credit.KindOf(a.UpdatedByUserId, a.UpdatedByAppId), a.UpdatedByAppId), now);

    private static KnowledgeArticleDto ToDto(KnowledgeArticle a, string? word) => new(a.Id, a.BrandId, a.Title, a.Body, Excerpt(a.Body, word),
        a.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries), a.UpdatedBy, Credit.KindOf(a.UpdatedByUserId, a.UpdatedByAppId), a.UpdatedByAppId,
        a.CreatedAt, a.UpdatedAt);

    private static string Excerpt(string body, string? word)
    {
        var at = word is null ? -1 : body.IndexOf(word, StringComparison.OrdinalIgnoreCase);
        var start = Math.Max(0, at - 60);
        if (start > 0 && char.IsLowSurrogate(body[start])) start++;
        var excerpt = Conversations.Conversation.Clip(body[start..], 240);
        return (start > 0 ? "…" : "") + excerpt + (start + excerpt.Length < body.Length ? "…" : "");
    }
}
