using Parley.Triage;

namespace Parley.Conversations;

/// <summary>The conversation's triage: one priority with its reasons, the signals behind it, whether the
/// brand's rules take it out of the inbox, and the patience window of the customer's current burst.</summary>
public sealed partial class Conversation
{
    /// <summary>The priority now (0-100), from everything the customer has written so far.</summary>
    public int Priority { get; private set; }
    /// <summary>The priority the inbox ranks by: <see cref="Priority"/> as of the customer's last complete
    /// burst, and 0 once the brand has answered everything (nobody is waiting). While a burst is still being
    /// written, the conversation keeps its place.</summary>
    public int RankedPriority { get; private set; }
    /// <summary>JSON array of the reasons, largest first ("negative", "48k followers", ...).</summary>
    public string PriorityReasons { get; private set; } = "[]";
    /// <summary>Compact JSON of <see cref="ConversationSignals"/>; null until triaged.</summary>
    public string? Signals { get; private set; }
    /// <summary>The brand's removal rules (spam, threats, abuse) take it out of the inbox.</summary>
    public bool Removed { get; private set; }
    public DateTimeOffset? BurstStartedAt { get; private set; }
    /// <summary>When the current burst counts as complete if the customer writes no more (the patience window).</summary>
    public DateTimeOffset? ReadyAt { get; private set; }
    /// <summary>Whether triage.burst_completed has been logged for the current burst.</summary>
    public bool ReadyAnnounced { get; private set; }
    /// <summary>The brand's triage settings version this was computed with; lower means due a recompute.</summary>
    public int TriageVersion { get; private set; }

    /// <summary>Whether the customer's current burst is still held back: inside the patience window, or just past
    /// it and not yet ranked by the sweep (a second at most). One flag, so "writing" and the rank never disagree.</summary>
    public bool IsWriting => !ReadyAnnounced && ReadyAt is not null;

    /// <summary>Takes a new assessment.</summary>
    /// <param name="now">The burst is ranked (and announced ready) at once if its window has passed by then.</param>
    public TriageChange Triaged(ConversationAssessment a, int version, DateTimeOffset now)
    {
        var previous = Priority;
        Priority = a.Priority.Value;
        PriorityReasons = StoredSignals.Write(a.Priority.Reasons);
        Signals = StoredSignals.Write(a.Signals);
        Removed = a.Removed;
        TriageVersion = version;
        if (BurstStartedAt != a.BurstStartedAt || ReadyAt != a.ReadyAt)
        {
            // A new burst, or the current one grew: it is announced again when complete.
            BurstStartedAt = a.BurstStartedAt;
            ReadyAt = a.ReadyAt;
            ReadyAnnounced = false;
        }
        var becameReady = false;
        if (!ReadyAnnounced && ReadyAt <= now)
        {
            ReadyAnnounced = true;
            becameReady = true;
        }
        if (ReadyAnnounced) RankedPriority = RankOf(Priority);
        return new TriageChange(previous != Priority ? previous : null, becameReady);
    }

    /// <summary>What the inbox ranks a complete burst by: an answered conversation comes after every one still waiting.</summary>
    private int RankOf(int priority) => AwaitingReplySince is null ? 0 : priority;

    partial void Recorded(Message message)
    {
        // The brand answered everything: nobody waits here now. The next burst from the customer ranks it again.
        if (message.Direction == MessageDirection.Outbound && AwaitingReplySince is null) RankedPriority = 0;
    }

    /// <summary>Nothing from the customer to triage (the brand wrote first): only the version is remembered.</summary>
    public void Untriaged(int version) => TriageVersion = version;

    /// <summary>A bare acknowledgement after a resolution: the conversation stays resolved, and the
    /// acknowledgement is not a post waiting for an answer.</summary>
    public void AcknowledgedWhileResolved(Message message)
    {
        if (AwaitingReplySince == message.CreatedAt) AwaitingReplySince = null;
    }
}

/// <param name="PreviousPriority">The priority before, when it changed.</param>
/// <param name="BecameReady">The burst is complete and was not announced yet: log triage.burst_completed.</param>
public readonly record struct TriageChange(int? PreviousPriority, bool BecameReady);
