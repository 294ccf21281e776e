using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

/// <summary>Puts a reply that failed for good back in the delivery queue, with a fresh set of attempts.
/// If an earlier attempt may have reached the network, the dispatcher still looks for it before posting.</summary>
public static class RetryReply
{
    public static void MapRetryReply(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/replies/{messageId:guid}/retry", Handle)
            .WithSummary("Tries a failed reply again: its deliveryStatus returns to pending. Only failed replies can be retried.");

    private static async Task<Results<Accepted<MessageDto>, ProblemHttpResult>> Handle(
        Guid id, Guid messageId, ParleyDb db, Viewer viewer, TimeProvider clock, DeliverySignal delivery, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var now = clock.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Conditional, so that two clicks (or two agents) queue it once.
        var reset = await db.Messages
            .Where(m => m.Id == messageId && m.ConversationId == id && m.Direction == MessageDirection.Outbound && m.DeliveryStatus == DeliveryStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.DeliveryStatus, DeliveryStatus.Pending)
                .SetProperty(m => m.DeliveryAttempts, 0)
                .SetProperty(m => m.DeliveryError, (string?)null)
                .SetProperty(m => m.NextAttemptAt, now), ct);
        if (reset == 0)
        {
            var exists = await db.Messages.AnyAsync(m => m.Id == messageId && m.ConversationId == id && m.Direction == MessageDirection.Outbound, ct);
            return exists
                ? Problems.Conflict("Not a failed reply", "Only a reply whose delivery failed can be retried; this one is pending or already sent.")
                : Problems.NotFound("reply", messageId);
        }
        db.Append("reply.retried", $"conversations/{id}", conversation.BrandId,
            new ReplyRetriedData(id, messageId, viewer.Name.Length > 0 ? viewer.Name : "api", EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        var message = await db.Messages.AsNoTracking().FirstAsync(m => m.Id == messageId, ct);
        await transaction.CommitAsync(ct);
        // Only now may the dispatcher pick it up: the answer shows the reply as it was queued.
        delivery.Pulse();
        return TypedResults.Accepted($"/api/v1/conversations/{id}", MessageDto.From(message));
    }
}
