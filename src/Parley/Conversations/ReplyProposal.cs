namespace Parley.Conversations;

public enum ProposalStatus { Proposed, Approved, Rejected }

/// <summary>A reply an app wrote that its brand's rules say a person must approve (docs/adr/0017). It is not a
/// <see cref="Message"/> until approved: nothing that reads messages (clocks, delivery, the networks) sees it.
/// Approval creates the message with this proposal's id, so the id an app was given stays the reply's id and a
/// second approval cannot create a second message.</summary>
public sealed class ReplyProposal
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ConversationId { get; init; }
    public Guid BrandId { get; init; }
    public Guid AppId { get; init; }
    public string AppName { get; init; } = "";
    public string Text { get; set; } = "";
    public MessageVisibility Visibility { get; init; }
    public ProposalStatus Status { get; set; } = ProposalStatus.Proposed;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    public Guid? DecidedByUserId { get; set; }
    /// <summary>Why a person rejected it; shown to the app through the event and the API.</summary>
    public string? RejectionReason { get; set; }
    /// <summary>The approver changed the text before it went out.</summary>
    public bool Edited { get; set; }
    public Guid? InReplyToCommandId { get; init; }
}
