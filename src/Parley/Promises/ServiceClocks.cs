namespace Parley.Promises;

/// <summary>Service-level clocks as functions of data: call <see cref="Evaluate(ServiceLevelPolicy, ConversationTimeline, DateTimeOffset)"/>
/// whenever a conversation changes and when its <see cref="ClockReport.NextCheckAt"/> comes, and hand the
/// report with the keys already fired to <see cref="DueEvents"/>.
/// The acknowledge clock never pauses: until we first answer there is nothing the customer could owe us.
/// The next-response and resolve clocks pause while waiting on the customer (and, if the policy says so,
/// while snoozed).</summary>
public static class ServiceClocks
{
    public static ClockReport Evaluate(ServiceLevelPolicy policy, ConversationTimeline timeline, TimeProvider clock) =>
        Evaluate(policy, timeline, clock.GetUtcNow());

    public static ClockReport Evaluate(ServiceLevelPolicy policy, ConversationTimeline timeline, DateTimeOffset now)
    {
        var reading = TimelineReading.Read(timeline, now);
        var pauses = new List<Pause>();
        if (policy.PausesWhileWaitingOnCustomer) pauses.AddRange(reading.WaitingOnCustomer);
        if (policy.PausesWhileSnoozed) pauses.AddRange(reading.Snoozes);

        var measured = new List<(ClockRun Run, ClockStatus Status)>();
        foreach (var run in reading.Runs.OrderBy(r => r.Start).ThenBy(r => r.Clock))
        {
            if (TargetOf(policy, run.Clock) is not { } target) continue;
            var status = ClockMeasure.Measure(run, target, policy, run.Clock == ClockKind.Acknowledge ? [] : pauses, now);
            measured.Add((run, status));
        }

        var currentCycle = reading.Runs.Count == 0 ? 0 : reading.Runs.Max(r => r.ResolutionCycle);
        ClockStatus Current(ClockKind kind) =>
            measured.LastOrDefault(m => m.Run.Clock == kind && m.Run.ResolutionCycle == currentCycle).Status
            ?? ClockStatus.NotApplicable(kind, TargetOf(policy, kind));

        var nextCheck = measured.Select(m => ClockMeasure.NextCrossing(m.Status, policy.Calendar, now)).Where(at => at is not null).Min();
        return new(now, Current(ClockKind.Acknowledge), Current(ClockKind.NextResponse), Current(ClockKind.Resolve),
            [.. measured.Select(m => m.Status)], nextCheck);
    }

    /// <summary>The warnings and breaches to announce now: every threshold the report shows as crossed whose key
    /// is not in <paramref name="alreadyFired"/>, oldest first. Persist each key with the event it produced (in
    /// one transaction) and a sweep that runs every minute, runs twice or restarts announces each exactly once.
    /// A warning is only announced while its clock still runs (or is paused) unbreached; one that was missed
    /// until the clock stopped or breached would only be noise, so it is dropped.</summary>
    public static IReadOnlyList<ClockEvent> DueEvents(ClockReport report, IEnumerable<string> alreadyFired)
    {
        var fired = alreadyFired as IReadOnlySet<string> ?? alreadyFired.ToHashSet(StringComparer.Ordinal);
        var due = new List<ClockEvent>();
        foreach (var clock in report.AllClocks)
        {
            if (clock.BreachedAt is { } breachedAt)
            {
                due.Add(new(ClockEvent.KeyFor(clock.Clock, clock.Cycle, ClockEventKind.Breached), clock.Clock, clock.Cycle,
                    ClockEventKind.Breached, breachedAt, null));
                continue;
            }
            if (clock.State is not (ClockState.Running or ClockState.Paused)) continue;
            foreach (var warning in clock.Warnings.Where(w => w.Crossed && w.At is not null))
            {
                due.Add(new(ClockEvent.KeyFor(clock.Clock, clock.Cycle, ClockEventKind.Warning, warning.LeadTime), clock.Clock, clock.Cycle,
                    ClockEventKind.Warning, warning.At!.Value, warning.LeadTime));
            }
        }
        return [.. due.Where(e => !fired.Contains(e.Key)).OrderBy(e => e.At).ThenBy(e => e.Key, StringComparer.Ordinal)];
    }

    private static TimeSpan? TargetOf(ServiceLevelPolicy policy, ClockKind clock) => clock switch
    {
        ClockKind.Acknowledge => policy.TimeToAcknowledge,
        ClockKind.NextResponse => policy.TimeToNextResponse,
        _ => policy.TimeToResolve,
    };
}
