using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

/// <param name="Text">The text to send instead of the app's (the approver's edit); omitted: the app's text.</param>
public sealed record ApproveRequest(string? Text);

public sealed record RejectRequest(string? Reason);

/// <param name="Status">proposed, approved (then a message with the same id exists) or rejected.</param>
public sealed record ReplyProposalDto(Guid Id, Guid ConversationId, Guid AppId, string Author, string Text, string Visibility, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, string? DecidedBy, string? RejectionReason, bool Edited, Guid? InReplyToCommand)
{
    public string AuthorKind => Credit.AppKind;

    public static ReplyProposalDto From(ReplyProposal p) => new(p.Id, p.ConversationId, p.AppId, p.AppName,
        Triage.SensitiveData.MaskSensitive(p.Text), MessageDto.Lower(p.Visibility), MessageDto.Lower(p.Status), p.CreatedAt, p.DecidedAt,
        p.DecidedBy, p.RejectionReason, p.Edited, p.InReplyToCommandId);
}

/// <summary>Replies apps propose and people approve or reject (docs/adr/0017). Approval goes through the same path as
/// any reply (<see cref="SendReply.Queue"/>, then <see cref="ReplyDispatcher"/>); a conditional update from
/// proposed to approved, and the message taking the proposal's id, make sure one proposal is sent at most once.</summary>
public static class AppReplies
{
    public const int MaxReasonLength = 1_000;

    public static void MapProposals(this IEndpointRouteBuilder conversations) =>
        conversations.MapGet("/{id:guid}/proposals", ListAsync)
            .WithSummary("Replies apps proposed in this conversation and what became of them (proposed, approved, rejected), oldest first.");

    public static void MapProposalDecisions(this IEndpointRouteBuilder sending)
    {
        sending.MapPost("/{id:guid}/replies/{messageId:guid}/approve", ApproveAsync)
            .WithSummary("Approves an app's proposed reply, optionally with edited text, and queues it for delivery under the app's name. People only.");
        sending.MapPost("/{id:guid}/replies/{messageId:guid}/reject", RejectAsync)
            .WithSummary("Rejects an app's proposed reply with a reason; it is never sent. People only.");
    }

    /// <summary>The app's own rule in the brand, else the brand's default, else approval.</summary>
    public static async Task<bool> RequireApprovalAsync(ParleyDb db, Guid brandId, Guid appId, CancellationToken ct)
    {
        var rules = await db.AppReplyRules.AsNoTracking()
            .Where(r => r.BrandId == brandId && (r.AppId == appId || r.AppId == AppReplyRule.BrandDefault)).ToListAsync(ct);
        return (rules.FirstOrDefault(r => r.AppId == appId) ?? rules.FirstOrDefault())?.RequireApproval ?? true;
    }

    public static ReplyProposal Propose(ParleyDb db, Conversation conversation, Credit by, string text, MessageVisibility visibility,
        Guid? inReplyToCommand, DateTimeOffset now)
    {
        var proposal = new ReplyProposal
        {
            ConversationId = conversation.Id, BrandId = conversation.BrandId, AppId = by.AppId!.Value, AppName = by.Name, Text = text,
            Visibility = visibility, CreatedAt = now, InReplyToCommandId = inReplyToCommand,
        };
        db.ReplyProposals.Add(proposal);
        // The conversation's owner is the one most likely to approve it: tell them, as a mention would.
        if (conversation.AssigneeId is { } owner)
            db.Notifications.Add(new Notification
            {
                UserId = owner, Kind = "reply_proposed", ConversationId = conversation.Id, CreatedAt = now,
                Text = Conversation.Clip($"{by.Name} proposed a reply for your approval: {Triage.SensitiveData.MaskSensitive(text)}", 1_000),
            });
        db.Append("reply.proposed", $"conversations/{conversation.Id}", conversation.BrandId, new ReplyProposedData(conversation.Id, proposal.Id, proposal.AppId, by.Name, by.Kind,
            MessageDto.Lower(visibility), Triage.SensitiveData.MaskSensitive(text), inReplyToCommand, by.Actor), now);
        return proposal;
    }

    internal static async Task<Results<Ok<List<ReplyProposalDto>>, ProblemHttpResult>> ListAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (!await viewer.Visible(db.Conversations).AnyAsync(c => c.Id == id, ct)) return Problems.NotFound("conversation", id);
        var proposals = await db.ReplyProposals.AsNoTracking().Where(p => p.ConversationId == id).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct);
        return TypedResults.Ok(proposals.Select(ReplyProposalDto.From).ToList());
    }

    private static ProblemHttpResult PeopleOnly() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "People only",
        detail: "A person approves or rejects an app's proposed reply; an app's key cannot, or the approval rule would mean nothing.");

    private static async Task<Results<Accepted<MessageDto>, ProblemHttpResult, ValidationProblem>> ApproveAsync(
        Guid id, Guid messageId, ApproveRequest? request, ParleyDb db, Viewer viewer, TimeProvider clock, DeliverySignal delivery, CancellationToken ct)
    {
        if (!viewer.IsPerson) return PeopleOnly();
        var conversation = await viewer.Visible(db.Conversations).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var proposal = await db.ReplyProposals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == messageId && p.ConversationId == id, ct);
        if (proposal is null) return Problems.NotFound("proposed reply", messageId);
        if (proposal.Status != ProposalStatus.Proposed) return AlreadyDecided(proposal);

        var kind = await db.Channels.Where(ch => ch.Id == conversation.ChannelId).Select(ch => ch.Kind).FirstAsync(ct);
        var text = request?.Text?.Trim() is { Length: > 0 } edited ? edited : proposal.Text;
        if (SendReply.TextProblem(kind, proposal.Visibility, text) is { } problem)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [problem] });
        var target = await ReplyTarget.FindAsync(db, conversation, kind, proposal.Visibility, ct);
        if (target.Problem is { } targetProblem) return Problems.Conflict("Cannot reply this way", targetProblem);

        var now = clock.GetUtcNow();
        var person = Credit.Of(viewer);
        var isEdit = !string.Equals(text, proposal.Text, StringComparison.Ordinal);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The first statement writes, so on SQLite the transaction takes the write lock before reading anything.
        var won = await db.ReplyProposals.Where(p => p.Id == messageId && p.Status == ProposalStatus.Proposed)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProposalStatus.Approved).SetProperty(p => p.DecidedAt, now)
                .SetProperty(p => p.DecidedBy, person.Name).SetProperty(p => p.DecidedByUserId, person.UserId)
                .SetProperty(p => p.Edited, isEdit).SetProperty(p => p.Text, text), ct);
        if (won == 0) return AlreadyDecided(await db.ReplyProposals.AsNoTracking().FirstAsync(p => p.Id == messageId, ct));

        var app = new Credit(Credit.AppKind, proposal.AppName, null, proposal.AppId);
        var approval = new ReplyApproval(person.Name, person.UserId, isEdit);
        var message = SendReply.Queue(db, conversation, target, text, proposal.Visibility, app, now, proposal.Id, approval);
        db.Append("reply.approved", $"conversations/{id}", conversation.BrandId, new ReplyApprovedData(id, messageId, proposal.AppId, proposal.AppName, person.Name,
            person.UserId, isEdit, Triage.SensitiveData.MaskSensitive(text), EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        delivery.Pulse();
        return TypedResults.Accepted($"/api/v1/conversations/{id}", MessageDto.From(message));
    }

    private static async Task<Results<Ok<ReplyProposalDto>, ProblemHttpResult, ValidationProblem>> RejectAsync(
        Guid id, Guid messageId, RejectRequest? request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (!viewer.IsPerson) return PeopleOnly();
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var proposal = await db.ReplyProposals.FirstOrDefaultAsync(p => p.Id == messageId && p.ConversationId == id, ct);
        if (proposal is null) return Problems.NotFound("proposed reply", messageId);
        var reason = request?.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > MaxReasonLength)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [$"'reason' (told to the app) has 1 to {MaxReasonLength} characters."] });
        if (proposal.Status != ProposalStatus.Proposed) return AlreadyDecided(proposal);

        var now = clock.GetUtcNow();
        var person = Credit.Of(viewer);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var won = await db.ReplyProposals.Where(p => p.Id == messageId && p.Status == ProposalStatus.Proposed)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProposalStatus.Rejected).SetProperty(p => p.DecidedAt, now)
                .SetProperty(p => p.DecidedBy, person.Name).SetProperty(p => p.DecidedByUserId, person.UserId)
                .SetProperty(p => p.RejectionReason, reason), ct);
        await db.Entry(proposal).ReloadAsync(ct);
        if (won == 0) return AlreadyDecided(proposal);
        db.Append("reply.rejected", $"conversations/{id}", conversation.BrandId, new ReplyRejectedData(id, messageId, proposal.AppId, proposal.AppName, person.Name,
            person.UserId, reason, EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(ReplyProposalDto.From(proposal));
    }

    private static ProblemHttpResult AlreadyDecided(ReplyProposal p) => Problems.Conflict("Already decided",
        $"This proposed reply was already {MessageDto.Lower(p.Status)}{(p.DecidedBy is null ? "" : " by " + p.DecidedBy)}.");
}
