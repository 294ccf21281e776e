using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

public sealed record TagsRequest(IReadOnlyList<string>? Tags);

/// <param name="AddedByKind">person, app or api.</param>
public sealed record TagDto(string Tag, DateTimeOffset AddedAt, string AddedBy, string AddedByKind, Guid? AddedByAppId);

/// <summary>Tags on conversations, by people and apps (billing tags "refund", logistics "carrier:dhl"); the inbox and
/// GET /conversations?tag= filter on them. Adding a tag that is there, or removing one that is not, changes nothing
/// and logs nothing, so apps can retry freely.</summary>
public static partial class Tags
{
    public const int MaxPerConversation = 50;

    [GeneratedRegex("^[a-z0-9][a-z0-9_:.-]{0,49}$")]
    private static partial Regex TagPattern();

    public static void MapTags(this IEndpointRouteBuilder conversations)
    {
        conversations.MapGet("/{id:guid}/tags", ListAsync).WithSummary("The conversation's tags, with who added each.");
        conversations.MapPost("/{id:guid}/tags", AddAsync)
            .WithSummary("Adds tags (lower case, 1 to 50 of a-z 0-9 _ : . -, a leading '#' is dropped), credited to the caller; tags already there are left alone.");
        conversations.MapDelete("/{id:guid}/tags/{tag}", RemoveAsync).WithSummary("Removes a tag; removing one that is not there is not an error.");
    }

    /// <summary>Lower case without a leading '#', or null when it is not a valid tag.</summary>
    public static string? Normalize(string? tag)
    {
        var t = (tag ?? "").Trim().TrimStart('#').ToLowerInvariant();
        return TagPattern().IsMatch(t) ? t : null;
    }

    internal static async Task<Results<Ok<List<TagDto>>, ProblemHttpResult>> ListAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (!await viewer.Visible(db.Conversations).AnyAsync(c => c.Id == id, ct)) return Problems.NotFound("conversation", id);
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }

    private static async Task<List<TagDto>> ReadAsync(ParleyDb db, Guid id, CancellationToken ct) =>
        (await db.ConversationTags.AsNoTracking().Where(t => t.ConversationId == id).OrderBy(t => t.Tag).ToListAsync(ct))
            .Select(t => new TagDto(t.Tag, t.AddedAt, t.AddedBy, Credit.KindOf(t.AddedByUserId, t.AddedByAppId), t.AddedByAppId)).ToList();

    private static async Task<Results<Ok<List<TagDto>>, ProblemHttpResult, ValidationProblem>> AddAsync(
        Guid id, TagsRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var given = request.Tags ?? [];
        var tags = given.Select(Normalize).ToList();
        if (given.Count is 0 or > 20 || tags.Any(t => t is null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["tags"] = ["'tags' is a list of 1 to 20 tags, each 1 to 50 characters of a-z, 0-9, '_', ':', '.' and '-' (a leading '#' is dropped)."],
            });
        var existing = await db.ConversationTags.Where(t => t.ConversationId == id).Select(t => t.Tag).ToListAsync(ct);
        var added = tags.Select(t => t!).Distinct().Except(existing).ToList();
        if (existing.Count + added.Count > MaxPerConversation)
            return Problems.Conflict("Too many tags", $"A conversation has at most {MaxPerConversation} tags; this one has {existing.Count}.");
        if (added.Count > 0)
        {
            var now = clock.GetUtcNow();
            var by = Credit.Of(viewer);
            foreach (var tag in added)
                db.ConversationTags.Add(new ConversationTag { ConversationId = id, Tag = tag, AddedAt = now, AddedBy = by.Name, AddedByUserId = by.UserId, AddedByAppId = by.AppId });
            db.Append("conversation.tagged", $"conversations/{id}", conversation.BrandId,
                new ConversationTagsData(id, added, by.Name, by.Kind, by.UserId, by.AppId, by.Actor), now);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException)
            {
                // Someone added one of these tags at the same moment: nothing was written; the caller may simply retry.
                return Problems.Conflict("Tagged at the same time", "Another request added one of these tags just now; send the request again.");
            }
        }
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid id, string tag, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var normalized = Normalize(tag);
        if (normalized is null) return TypedResults.NoContent();
        var now = clock.GetUtcNow();
        var by = Credit.Of(viewer);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = await db.ConversationTags.Where(t => t.ConversationId == id && t.Tag == normalized).ExecuteDeleteAsync(ct);
        if (removed == 0) return TypedResults.NoContent();
        db.Append("conversation.untagged", $"conversations/{id}", conversation.BrandId,
            new ConversationTagsData(id, [normalized], by.Name, by.Kind, by.UserId, by.AppId, by.Actor), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}

/// <summary>Tags of a page of conversations in one query, for lists (the API's and the inbox's).</summary>
public static class ConversationTagLookup
{
    public static async Task<ILookup<Guid, string>> ForAsync(ParleyDb db, Guid[] conversationIds, CancellationToken ct) =>
        conversationIds.Length == 0 ? Array.Empty<(Guid, string)>().ToLookup(x => x.Item1, x => x.Item2)
            : (await db.ConversationTags.AsNoTracking().Where(t => conversationIds.Contains(t.ConversationId))
                .OrderBy(t => t.Tag).Select(t => new { t.ConversationId, t.Tag }).ToListAsync(ct)).ToLookup(t => t.ConversationId, t => t.Tag);
}
