using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Channels.X;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Conversations;

/// <param name="TakeOver">When a colleague owns the conversation, a person's reply is refused (409) unless this is
/// true: then the reply also makes the conversation theirs. Apps (API keys) reply without owning.</param>
/// <param name="InReplyToCommand">For an app answering a hashtag command: the invocationId of its command.invoked event.</param>
public sealed record ReplyRequest(string? Text, string? Visibility, bool? TakeOver = null, Guid? InReplyToCommand = null);

/// <summary>Queues a reply; <see cref="ReplyDispatcher"/> delivers it to the network.</summary>
public static class SendReply
{
    public static void MapSendReply(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/replies", Handle)
            .WithSummary("Queues a reply. Answers 202 at once; deliveryStatus moves from pending to sent or failed. " +
                "A person replying to a colleague's conversation gets 409 unless takeOver is true. An app's reply is credited to the app and, " +
                "when its brand's rules ask for approval (GET /brands/{id}/app-replies), is stored as a proposal (status proposed) until a person approves it.");

    private static async Task<Results<Accepted<MessageDto>, Accepted<ReplyProposalDto>, ProblemHttpResult, ValidationProblem>> Handle(
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
        var credit = Credit.Of(viewer);
        if (await Commands.CheckAnswerAsync(db, request.InReplyToCommand, id, credit, ct) is { } answerProblem) errors["inReplyToCommand"] = [answerProblem];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (viewer.UserId is { } me && conversation.AssigneeId is { } owner && owner != me && request.TakeOver != true)
            return await Ownership.ConflictAsync(db, owner, ct);

        var target = await ReplyTarget.FindAsync(db, conversation, kind, visibility, ct);
        if (target.Problem is { } problem)
            return Problems.Conflict("Cannot reply this way", problem);

        var now = clock.GetUtcNow();
        if (credit.AppId is { } appId && await AppReplies.RequireApprovalAsync(db, conversation.BrandId, appId, ct))
        {
            var proposal = AppReplies.Propose(db, conversation, credit, text, visibility, request.InReplyToCommand, now);
            await db.SaveChangesAsync(ct);
            return TypedResults.Accepted($"/api/v1/conversations/{conversation.Id}/proposals", ReplyProposalDto.From(proposal));
        }
        var message = Queue(db, conversation, target, text, visibility, credit, now);
        if (viewer.UserId is { } taker && conversation.AssigneeId is { } previous && previous != taker)
        {
            conversation.Assign(conversation.TeamId, taker, now);
            AssignmentLog.Append(db, conversation.Id, conversation.BrandId, conversation.TeamId, taker, previous, EventActor.Of(viewer), "Took it over to reply.", now);
        }
        await db.SaveChangesAsync(ct);
        delivery.Pulse();
        return TypedResults.Accepted($"/api/v1/conversations/{conversation.Id}", MessageDto.From(message));
    }

    /// <summary>Adds the reply for <see cref="ReplyDispatcher"/> to deliver, with its events, in the caller's unit of
    /// work; an approved proposal goes out through here too, keeping its id (<paramref name="id"/>).</summary>
    public static Message Queue(ParleyDb db, Conversation conversation, ReplyTarget target, string text, MessageVisibility visibility,
        Credit by, DateTimeOffset now, Guid? id = null, ReplyApproval? approval = null)
    {
        var message = Message.Reply(conversation.Id, conversation.ChannelId, text, visibility, by.Name, target.InReplyTo, target.Recipient, now,
            id, by.AppId);
        db.Messages.Add(message);
        conversation.Record(message);
        db.Append("reply.queued", $"conversations/{conversation.Id}", conversation.BrandId,
            new ReplyQueuedData(conversation.Id, message.Id, MessageDto.Lower(visibility), Triage.SensitiveData.MaskSensitive(text), by.Name, by.Actor,
                by.Kind, by.AppId, approval), now);
        foreach (var type in conversation.BrandReplied(now))
            db.Append(type, $"conversations/{conversation.Id}", conversation.BrandId, ConversationEventData.From(conversation, by.Actor), now);
        return message;
    }

    /// <summary>The same checks as a reply, for a proposal's text at approval.</summary>
    public static string? TextProblem(string kind, MessageVisibility visibility, string text) =>
        text.Length == 0 ? "'text' is required." : LengthProblem(kind, visibility, text);

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
