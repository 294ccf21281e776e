namespace Parley.Promises;

/// <summary>What a timer rule waits for.</summary>
public enum TimerCondition
{
    /// <summary>Nobody has replied since the conversation came in (measured from when Parley received it).</summary>
    NotAcknowledged,
    /// <summary>The customer has waited for an answer this long (from their oldest unanswered message, or
    /// from when Parley received it if that is later: posts ingested from history do not all fire at once).</summary>
    AwaitingReply,
    /// <summary>The brand answered and the customer has not written since, for this long.</summary>
    CustomerSilent,
}

/// <summary>What a timer rule does when it fires.</summary>
public enum TimerAction
{
    /// <summary>Give it to someone else in its queue who is online with room (not the current owner).</summary>
    Reassign,
    /// <summary>Give it to a lead (the rule's, or a lead of its team) and tell them.</summary>
    Escalate,
    /// <summary>Send the rule's message (asking whether the matter is resolved) and wait on the customer.</summary>
    AskIfResolved,
    /// <summary>Resolve the conversation.</summary>
    Close,
}

/// <summary>A brand's timer rule: when <see cref="Condition"/> has held for <see cref="After"/>, do
/// <see cref="Action"/>. Rules are data, edited by leads; each firing is recorded once per conversation
/// and episode (see <see cref="FiredTimerRule"/>).</summary>
public sealed class TimerRule
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public string Name { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public TimerCondition Condition { get; set; }
    public TimeSpan After { get; set; }
    public TimerAction Action { get; set; }
    /// <summary>Only conversations in this team's queue; null for any.</summary>
    public Guid? TeamId { get; set; }
    /// <summary>Only conversations on this kind of channel ("x", "meta"); null for any.</summary>
    public string? ChannelKind { get; set; }
    /// <summary>For <see cref="TimerAction.Escalate"/>: the person to escalate to; null for a lead of the conversation's team.</summary>
    public Guid? EscalateToUserId { get; set; }
    /// <summary>For <see cref="TimerAction.AskIfResolved"/>: what to send. May use template variables ({customer.name}).</summary>
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A timer rule that has fired for a conversation. The key (conversation, rule, episode) is unique,
/// so however often the sweep runs, on however many nodes, and across restarts, a rule fires once per episode:
/// once per conversation for "not acknowledged", once per unanswered message for "awaiting reply", once per
/// silence of the customer for "customer silent".</summary>
public sealed class FiredTimerRule
{
    public Guid ConversationId { get; init; }
    public Guid RuleId { get; init; }
    public string Episode { get; init; } = "";
    public DateTimeOffset FiredAt { get; init; }
}
