using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Channels.X;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Conversations;

/// <param name="TakeOver">When a colleague owns the conversation, a person's reply is refused (409) unless this is
/// true: then the reply also makes the conversation theirs. Apps (API keys) reply without owning.</param>
public sealed record ReplyRequest(string? Text, string? Visibility, bool? TakeOver = null);

/// <summary>Queues a reply; <see cref="ReplyDispatcher"/> delivers it to the network.</summary>
public static class SendReply
{
    public static void MapSendReply(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/replies", Handle)
            .WithSummary("Queues a reply. Answers 202 at once; deliveryStatus moves from pending to sent or failed. " +
                "A person replying to a colleague's conversation gets 409 unless takeOver is true.");

    private static async Task<Results<Accepted<MessageDto>, ProblemHttpResult, ValidationProblem>> Handle(
        Guid id, ReplyRequest request, ParleyDb db, TimeProvider clock, Viewer viewer, DeliverySignal delivery, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var kind = await db.Channels.Where(ch => ch.Id == conversation.ChannelId).Select(ch => ch.Kind).FirstAsync(ct);

        var visibility = MessageVisibility.Public;
        var errors = new Dictionary<string, string[]>();
        if (request.Visibility is not null && !(Enum.TryParse(request.Visibility, true, out visibility) && !int.TryParse(request.Visibility, out _)))
            errors["visibility"] = ["'visibility' is 'public' or 'private'."];
        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0) errors["text"] = ["'text' is required."];
        else if (LengthProblem(kind, visibility, text) is { } tooLong) errors["text"] = [tooLong];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (viewer.UserId is { } me && conversation.AssigneeId is { } owner && owner != me && request.TakeOver != true)
            return await Ownership.ConflictAsync(db, owner, ct);

        var target = await ReplyTarget.FindAsync(db, conversation, kind, visibility, ct);
        if (target.Problem is { } problem)
            return Problems.Conflict("Cannot reply this way", problem);

        var now = clock.GetUtcNow();
        var author = viewer.Name.Length > 0 ? viewer.Name : "api";
        var message = Message.Reply(conversation.Id, conversation.ChannelId, text, visibility, author, target.InReplyTo, target.Recipient, now);
        db.Messages.Add(message);
        conversation.Record(message);
        db.Append("reply.queued", $"conversations/{conversation.Id}", conversation.BrandId,
            new ReplyQueuedData(conversation.Id, message.Id, MessageDto.Lower(visibility), Triage.SensitiveData.MaskSensitive(text), author, EventActor.Of(viewer)), now);
        if (viewer.UserId is { } taker && conversation.AssigneeId is { } previous && previous != taker)
        {
            conversation.Assign(conversation.TeamId, taker, now);
            AssignmentLog.Append(db, conversation.Id, conversation.BrandId, conversation.TeamId, taker, previous, EventActor.Of(viewer), "Took it over to reply.", now);
        }
        foreach (var type in conversation.BrandReplied(now))
            db.Append(type, $"conversations/{conversation.Id}", conversation.BrandId, ConversationEventData.From(conversation, EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        delivery.Pulse();
        return TypedResults.Accepted($"/api/v1/conversations/{conversation.Id}", MessageDto.From(message));
    }

    private static string? LengthProblem(string kind, MessageVisibility visibility, string text)
    {
        var (limit, length, unit) = (kind, visibility) switch
        {
            ("x", MessageVisibility.Public) => (XTextLength.Limit, XTextLength.Weigh(text), "as X counts them (URLs 23, emoji and CJK 2)"),
            ("x", MessageVisibility.Private) => (10_000, text.Length, "characters"),
            ("meta", MessageVisibility.Private) => (2_000, text.Length, "characters"),
            _ => (8_000, text.Length, "characters"),
        };
        return length > limit ? $"The reply is {length} {unit}; a {MessageDto.Lower(visibility)} {kind} reply allows {limit}." : null;
    }
}
