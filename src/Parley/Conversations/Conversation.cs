using Parley.Data;

namespace Parley.Conversations;

/// <summary>Open or resolved: the coarse filter most lists want.</summary>
public enum ConversationStatus { Open, Resolved }

/// <summary>Where an open conversation stands. Responding is two steps: the first reply
/// acknowledges, resolving is explicit. Waiting on the customer and snoozing set it aside.</summary>
public enum ConversationState { New, Acknowledged, WaitingOnCustomer, Snoozed, Resolved }

/// <summary>A thread with one customer on one channel: a reply chain, a DM thread, or both once the
/// customer moves from public to private. State changes go through the methods below, which
/// return the event types to log (none when nothing changed).</summary>
public sealed partial class Conversation
{
    public Guid Id { get; init; } = GuidV7.New();
    public Guid BrandId { get; init; }
    public Guid ChannelId { get; init; }
    public Guid ContactId { get; init; }
    public ConversationStatus Status { get; private set; } = ConversationStatus.Open;
    public ConversationState State { get; private set; } = ConversationState.New;
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The team whose queue holds the conversation, if any.</summary>
    public Guid? TeamId { get; private set; }
    /// <summary>The person who owns it, if any.</summary>
    public Guid? AssigneeId { get; private set; }
    public DateTimeOffset LastMessageAt { get; private set; }
    public string Preview { get; private set; } = "";
    /// <summary>When the first reply reached (or was handed to) the network.</summary>
    public DateTimeOffset? AcknowledgedAt { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public DateTimeOffset? WaitingSince { get; private set; }
    public DateTimeOffset? SnoozedUntil { get; private set; }
    /// <summary>A snooze that also ends when the customer writes.</summary>
    public bool WakeOnCustomerMessage { get; private set; }
    /// <summary>The oldest customer message no brand reply has followed yet; null when answered.
    /// The missed-post queue is the conversations with this set, oldest first.</summary>
    public DateTimeOffset? AwaitingReplySince { get; private set; }
    public DateTimeOffset? LastBrandReplyAt { get; private set; }
    /// <summary>When the service-level sweep must next look at this conversation: the instant its next warning or
    /// breach comes due, <see cref="ClocksChanged"/> when something changed its clocks (the sweep recomputes
    /// at once), or null when nothing can come due until something changes (docs/adr/0014).</summary>
    public DateTimeOffset? NextClockCheckAt { get; set; }

    /// <summary>The mark a change to the clocks leaves in <see cref="NextClockCheckAt"/>: long past, so the
    /// sweep's indexed read of due conversations finds it first, and distinct from any real due instant.</summary>
    public static readonly DateTimeOffset ClocksChanged = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>Every value of <see cref="NextClockCheckAt"/> before this is a mark, not a due instant.</summary>
    public static readonly DateTimeOffset MarksEnd = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A mark of its own for one change that concerns many conversations at once (a service-level policy
    /// changed): the sweep writes a conversation's next due instant only if its mark is still the one it read, so
    /// a conversation already marked before the change, and read by a pass that loaded the old policy, is not
    /// settled by that pass. In whole tenths of a millisecond, which both databases' stored forms keep exactly.</summary>
    public static DateTimeOffset NewBulkMark() =>
        ClocksChanged.AddTicks(Random.Shared.NextInt64(1, (MarksEnd - ClocksChanged).Ticks / 1000) * 1000);
    /// <summary>When the timer-rule sweep should look at this conversation again; null: as soon as it can.</summary>
    public DateTimeOffset? NextTimerCheckAt { get; set; }
    /// <summary>When routing decided where the conversation goes (a team's queue, or the brand's front line);
    /// null until the router has looked at it.</summary>
    public DateTimeOffset? RoutedAt { get; private set; }
    // Routing and automatic assignment change these with conditional updates (see Routing/Assigner.cs),
    // so that two nodes cannot both route or both assign one conversation.
    /// <summary>When the current owner was given the conversation.</summary>
    public DateTimeOffset? AssignedAt { get; private set; }
    /// <summary>The state to return to when a snooze ends.</summary>
    public ConversationState StateBeforeSnooze { get; private set; } = ConversationState.New;

    public Contact? Contact { get; init; }
    public List<Message> Messages { get; init; } = [];

    public const int PreviewLength = 140;

    /// <summary>Keeps the list order and preview on the newest message by the network's clock, so
    /// events delivered out of order still leave the latest text in front.</summary>
    public void Record(Message message)
    {
        NextClockCheckAt = ClocksChanged;
        NextTimerCheckAt = null;
        if (message.Direction == MessageDirection.Inbound)
        {
            if (LastBrandReplyAt is null || message.CreatedAt > LastBrandReplyAt)
                AwaitingReplySince = AwaitingReplySince is { } since && since < message.CreatedAt ? since : message.CreatedAt;
        }
        else
        {
            if (LastBrandReplyAt is null || message.CreatedAt > LastBrandReplyAt) LastBrandReplyAt = message.CreatedAt;
            if (AwaitingReplySince <= message.CreatedAt) AwaitingReplySince = null;
        }
        Recorded(message);
        if (message.CreatedAt < LastMessageAt) return;
        LastMessageAt = message.CreatedAt;
        // Previews appear in lists, notifications and exports: card numbers and the like never reach them.
        Preview = Clip(Triage.SensitiveData.MaskSensitive(message.Text));
    }

    /// <summary>Lets the triage part follow who is waiting (Conversation.Triage.cs).</summary>
    partial void Recorded(Message message);

    /// <summary>The first <paramref name="length"/> characters, never cutting an emoji (a surrogate pair) in half:
    /// half a pair is not valid text, and PostgreSQL refuses to store it.</summary>
    public static string Clip(string text, int length = PreviewLength) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];

    /// <summary>A customer wrote: a resolved conversation reopens, a wait ends, a snooze that
    /// listens for the customer wakes.</summary>
    public IReadOnlyList<string> CustomerWrote(DateTimeOffset at) => State switch
    {
        ConversationState.Resolved => Reopen(at),
        ConversationState.WaitingOnCustomer => Become(AcknowledgedAt is null ? ConversationState.New : ConversationState.Acknowledged, "conversation.customer_replied"),
        ConversationState.Snoozed when WakeOnCustomerMessage => Wake(at),
        _ => [],
    };

    /// <summary>The brand replied (through Parley or elsewhere): the first reply acknowledges.</summary>
    public IReadOnlyList<string> BrandReplied(DateTimeOffset at)
    {
        if (AcknowledgedAt is not null) return [];
        AcknowledgedAt = at;
        NextClockCheckAt = ClocksChanged;
        if (State == ConversationState.New) State = ConversationState.Acknowledged;
        if (State == ConversationState.Snoozed && StateBeforeSnooze == ConversationState.New) StateBeforeSnooze = ConversationState.Acknowledged;
        return ["conversation.acknowledged"];
    }

    public IReadOnlyList<string> WaitOnCustomer(DateTimeOffset at)
    {
        if (State is ConversationState.WaitingOnCustomer or ConversationState.Resolved) return [];
        WaitingSince = at;
        SnoozedUntil = null;
        return Become(ConversationState.WaitingOnCustomer, "conversation.waiting_on_customer");
    }

    /// <summary>Sets the conversation aside until <paramref name="until"/>, or until the customer writes, or both.</summary>
    public IReadOnlyList<string> Snooze(DateTimeOffset? until, bool untilCustomerWrites)
    {
        if (State == ConversationState.Resolved) return [];
        if (State != ConversationState.Snoozed) StateBeforeSnooze = State;
        SnoozedUntil = until;
        WakeOnCustomerMessage = untilCustomerWrites;
        return Become(ConversationState.Snoozed, "conversation.snoozed", force: true);
    }

    public IReadOnlyList<string> Wake(DateTimeOffset at)
    {
        if (State != ConversationState.Snoozed) return [];
        SnoozedUntil = null;
        WakeOnCustomerMessage = false;
        return Become(StateBeforeSnooze, "conversation.woke");
    }

    public bool SnoozeIsOver(DateTimeOffset now) => State == ConversationState.Snoozed && SnoozedUntil <= now;

    public IReadOnlyList<string> Resolve(DateTimeOffset at)
    {
        if (State == ConversationState.Resolved) return [];
        Status = ConversationStatus.Resolved;
        ResolvedAt = at;
        SnoozedUntil = null;
        WaitingSince = null;
        return Become(ConversationState.Resolved, "conversation.resolved");
    }

    public IReadOnlyList<string> Reopen(DateTimeOffset at)
    {
        if (State != ConversationState.Resolved) return [];
        Status = ConversationStatus.Open;
        ResolvedAt = null;
        _ = at;
        return Become(AcknowledgedAt is null ? ConversationState.New : ConversationState.Acknowledged, "conversation.reopened");
    }

    /// <summary>Gives the conversation to a team, a person, or both (null clears).</summary>
    public IReadOnlyList<string> Assign(Guid? teamId, Guid? assigneeId, DateTimeOffset? at = null)
    {
        if (TeamId == teamId && AssigneeId == assigneeId) return [];
        if (AssigneeId != assigneeId) AssignedAt = assigneeId is null ? null : at ?? AssignedAt;
        TeamId = teamId;
        AssigneeId = assigneeId;
        RoutedAt ??= at;
        NextTimerCheckAt = null;
        return ["conversation.assigned"];
    }

    private string[] Become(ConversationState state, string eventType, bool force = false)
    {
        if (State == state && !force) return [];
        NextClockCheckAt = ClocksChanged;
        NextTimerCheckAt = null;
        if (State == ConversationState.WaitingOnCustomer && state != ConversationState.WaitingOnCustomer) WaitingSince = null;
        State = state;
        return [eventType];
    }
}
