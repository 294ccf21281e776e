namespace Parley.Promises;

/// <summary>Turns one clock run into a <see cref="ClockStatus"/>: counted time is the calendar's open time
/// within the run, less pauses. Thresholds are found by walking the counted segments, so a warning or a
/// breach gets the instant it really happened, even when evaluated long afterwards.</summary>
internal static class ClockMeasure
{
    public static ClockStatus Measure(ClockRun run, TimeSpan target, ServiceLevelPolicy policy, IReadOnlyList<Pause> pauses, DateTimeOffset now)
    {
        var calendar = policy.Calendar;
        var running = run.Stop is null;
        var segments = Counted(run.Start, run.Stop ?? now, pauses);
        var elapsed = segments.Aggregate(TimeSpan.Zero, (sum, s) => sum + calendar.BusinessTimeBetween(s.From, s.To));
        var paused = running && pauses.Any(p => p.Start <= now && (p.End is null || p.End > now));
        var projecting = running && !paused;

        var reached = Reach(calendar, segments, run.Start, target);
        var breachedAt = reached is { } r ? FirstCountedInstantAfter(calendar, segments, r) : null;
        var state = breachedAt is not null ? ClockState.Breached
            : !running ? ClockState.Met
            : paused ? ClockState.Paused
            : ClockState.Running;
        DateTimeOffset? dueAt = state is ClockState.Met or ClockState.Paused ? null
            : reached ?? calendar.AddBusinessTime(now, target - elapsed);

        var warnings = policy.WarningLeadTimes.OrderByDescending(lead => lead).Select(lead =>
        {
            var threshold = target - lead;
            var crossedAt = Reach(calendar, segments, run.Start, threshold);
            var at = crossedAt ?? (projecting ? calendar.AddBusinessTime(now, threshold - elapsed) : null);
            return new ClockWarning(lead, at, crossedAt is not null);
        }).ToList();

        return new(run.Clock, run.Cycle, state, target, run.Start, run.Stop, dueAt, target - elapsed, elapsed, breachedAt, warnings);
    }

    /// <summary>When a running clock next crosses a threshold if nothing else happens; null for a clock that
    /// is stopped, paused or already breached.</summary>
    public static DateTimeOffset? NextCrossing(ClockStatus status, BusinessCalendar calendar, DateTimeOffset now)
    {
        if (status.State != ClockState.Running || status.DueAt is not { } due) return null;
        // Counted time exceeds the target at the first open instant from the due instant on.
        DateTimeOffset? next = calendar.NextOpening(due > now ? due : now);
        foreach (var warning in status.Warnings)
        {
            if (!warning.Crossed && warning.At is { } at && at < next) next = at;
        }
        return next;
    }

    private static List<(DateTimeOffset From, DateTimeOffset To)> Counted(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<Pause> pauses)
    {
        var segments = new List<(DateTimeOffset, DateTimeOffset)>();
        var cursor = start;
        foreach (var pause in pauses.OrderBy(p => p.Start))
        {
            if (pause.Start >= end) break;
            var pauseEnd = pause.End ?? DateTimeOffset.MaxValue;
            if (pauseEnd <= cursor) continue;
            if (pause.Start > cursor) segments.Add((cursor, pause.Start));
            cursor = pauseEnd;
            if (cursor >= end) return segments;
        }
        if (cursor < end) segments.Add((cursor, end));
        return segments;
    }

    /// <summary>The earliest instant at which <paramref name="amount"/> of counted time has passed, if it has.</summary>
    private static DateTimeOffset? Reach(BusinessCalendar calendar, List<(DateTimeOffset From, DateTimeOffset To)> segments, DateTimeOffset start, TimeSpan amount)
    {
        if (amount <= TimeSpan.Zero) return start;
        var counted = TimeSpan.Zero;
        foreach (var (from, to) in segments)
        {
            var length = calendar.BusinessTimeBetween(from, to);
            if (counted + length >= amount) return calendar.AddBusinessTime(from, amount - counted);
            counted += length;
        }
        return null;
    }

    /// <summary>The first instant after <paramref name="instant"/> from which counted time grows: the instant
    /// itself if the calendar is open and the clock counting, otherwise the next opening within a segment.</summary>
    private static DateTimeOffset? FirstCountedInstantAfter(BusinessCalendar calendar, List<(DateTimeOffset From, DateTimeOffset To)> segments, DateTimeOffset instant)
    {
        foreach (var (from, to) in segments)
        {
            if (to <= instant) continue;
            var opening = calendar.NextOpening(from > instant ? from : instant);
            if (opening < to) return opening;
        }
        return null;
    }
}
