using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;

namespace Parley.Conversations;

public sealed record ConversationStatusDto(Guid Id, string Status, DateTimeOffset? ResolvedAt);

public static class ResolveConversation
{
    public static void MapResolveConversation(this IEndpointRouteBuilder group)
    {
        group.MapPost("/{id:guid}/resolve", (Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct) =>
            Change(id, db, clock, resolve: true, ct)).WithSummary("Marks the conversation resolved. Resolving twice changes nothing.");
        group.MapPost("/{id:guid}/reopen", (Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct) =>
            Change(id, db, clock, resolve: false, ct)).WithSummary("Opens a resolved conversation again.");
    }

    private static async Task<Results<Ok<ConversationStatusDto>, ProblemHttpResult>> Change(
        Guid id, ParleyDb db, TimeProvider clock, bool resolve, CancellationToken ct)
    {
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var now = clock.GetUtcNow();
        var changed = resolve ? conversation.Resolve(now) : conversation.Reopen();
        if (changed)
        {
            db.Append(resolve ? "conversation.resolved" : "conversation.reopened", $"conversations/{id}", conversation.BrandId,
                new { conversationId = id }, now);
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new ConversationStatusDto(id, MessageDto.Lower(conversation.Status), conversation.ResolvedAt));
    }
}
