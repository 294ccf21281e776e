namespace Parley.Promises;

public enum ClockKind { Acknowledge, NextResponse, Resolve }

public enum ClockState
{
    /// <summary>The policy makes no such promise, or nothing has started the clock yet.</summary>
    NotApplicable,
    Running,
    /// <summary>Counting is suspended (waiting on the customer, or snoozed when the policy says so).</summary>
    Paused,
    /// <summary>Stopped with its target not exceeded.</summary>
    Met,
    /// <summary>Its target was exceeded, whether or not it has stopped since (see <see cref="ClockStatus.StoppedAt"/>).</summary>
    Breached,
}

/// <summary>One warning threshold: reached when time left falls to <see cref="LeadTime"/>.</summary>
/// <param name="At">When it was reached; if not yet, when it will be should the clock keep running (null while
/// paused or once stopped).</param>
public sealed record ClockWarning(TimeSpan LeadTime, DateTimeOffset? At, bool Crossed);

/// <summary>One clock in one cycle. Durations are counted time: open time of the policy's calendar, less pauses.</summary>
/// <param name="Cycle">"2" for the second resolution cycle (after one reopening); "2.3" for the third next
/// response in it; empty when not applicable. Part of every event key.</param>
/// <param name="DueAt">When time left reaches zero: in the past, now, or projected for a running clock. Null
/// while paused (it depends on when the pause ends) and once met.</param>
/// <param name="TimeLeft">Target less elapsed counted time; negative exactly when breached.</param>
/// <param name="BreachedAt">When counted time first exceeded the target. With business hours this is the next
/// opening after <see cref="DueAt"/> when the target runs out exactly at closing time.</param>
public sealed record ClockStatus(
    ClockKind Clock,
    string Cycle,
    ClockState State,
    TimeSpan? Target,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    DateTimeOffset? DueAt,
    TimeSpan? TimeLeft,
    TimeSpan Elapsed,
    DateTimeOffset? BreachedAt,
    IReadOnlyList<ClockWarning> Warnings)
{
    public static ClockStatus NotApplicable(ClockKind clock, TimeSpan? target) =>
        new(clock, "", ClockState.NotApplicable, target, null, null, null, null, TimeSpan.Zero, null, []);

    /// <summary>Whether any warning threshold has been reached, and when the first was.</summary>
    public DateTimeOffset? WarnedAt => Warnings.Where(w => w.Crossed).Select(w => w.At).Min();
}

/// <summary>The clocks of one conversation at <see cref="EvaluatedAt"/>.</summary>
/// <param name="Acknowledge">The current cycle's acknowledge clock.</param>
/// <param name="NextResponse">The latest next-response clock of the current cycle.</param>
/// <param name="Resolve">The current cycle's resolve clock.</param>
/// <param name="AllClocks">Every clock of every cycle, oldest first, so that an event of a clock that has
/// since been superseded still fires.</param>
/// <param name="NextCheckAt">The earliest future instant at which a running clock crosses a warning or
/// breach threshold, assuming nothing else happens: when a sweep next needs to look at this conversation.</param>
public sealed record ClockReport(
    DateTimeOffset EvaluatedAt,
    ClockStatus Acknowledge,
    ClockStatus NextResponse,
    ClockStatus Resolve,
    IReadOnlyList<ClockStatus> AllClocks,
    DateTimeOffset? NextCheckAt);
