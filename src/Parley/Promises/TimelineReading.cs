namespace Parley.Promises;

/// <summary>One clock's run in the timeline: started, and stopped if it has been.</summary>
internal sealed record ClockRun(ClockKind Clock, int ResolutionCycle, string Cycle, DateTimeOffset Start, DateTimeOffset? Stop);

/// <summary>A pause; <see cref="End"/> is null while it lasts.</summary>
internal readonly record struct Pause(DateTimeOffset Start, DateTimeOffset? End);

/// <summary>Reads a timeline into clock runs and pauses. The rules, in order of time:
/// creation (or the first customer message) starts cycle 1 and reopening starts the next, each with an
/// acknowledge and a resolve clock; the first reply (or an explicit acknowledgement) stops the acknowledge
/// clock; after that, a customer message starts a next-response clock unless one is already waiting for our
/// reply, and our next reply stops it; resolution stops every clock of the cycle and ends any pause.
/// Facts after the evaluation instant are ignored.</summary>
internal sealed class TimelineReading
{
    private readonly List<ClockRun> runs = [];
    private readonly List<Pause> waiting = [];
    private readonly List<Pause> snoozes = [];
    private int cycle;
    private bool open;
    private DateTimeOffset cycleStart;
    private bool acknowledged;
    private int responses;
    private DateTimeOffset? awaitingReplySince;
    private DateTimeOffset? waitingSince;
    private DateTimeOffset? snoozedSince;

    public IReadOnlyList<ClockRun> Runs => runs;
    public IReadOnlyList<Pause> WaitingOnCustomer => waiting;
    public IReadOnlyList<Pause> Snoozes => snoozes;

    public static TimelineReading Read(ConversationTimeline timeline, DateTimeOffset now)
    {
        var reading = new TimelineReading();
        // OrderBy is stable, so facts with the same instant keep the order they were given in.
        foreach (var fact in timeline.Facts.Where(f => f.At <= now).OrderBy(f => f.At)) reading.Apply(fact);
        reading.Finish();
        return reading;
    }

    private void Apply(TimelineFact fact)
    {
        var at = fact.At;
        switch (fact.Kind)
        {
            case FactKind.Created when cycle == 0:
            case FactKind.Reopened when !open:
                StartCycle(at);
                break;
            case FactKind.CustomerMessage:
                if (cycle == 0) StartCycle(at);
                EndPauses(at);
                if (open && acknowledged && awaitingReplySince is null)
                {
                    responses++;
                    awaitingReplySince = at;
                }
                break;
            case FactKind.AgentReply when open:
                if (!acknowledged) Acknowledge(at);
                else if (awaitingReplySince is { } since) StopResponse(since, at);
                break;
            case FactKind.Acknowledged when open && !acknowledged:
                Acknowledge(at);
                break;
            case FactKind.WaitingOnCustomerStarted when open:
                waitingSince ??= at;
                break;
            case FactKind.WaitingOnCustomerEnded:
                EndPause(ref waitingSince, waiting, at);
                break;
            case FactKind.SnoozeStarted when open:
                snoozedSince ??= at;
                break;
            case FactKind.SnoozeEnded:
                EndPause(ref snoozedSince, snoozes, at);
                break;
            case FactKind.Resolved when open:
                if (!acknowledged) Acknowledge(at);
                if (awaitingReplySince is { } waitingForUs) StopResponse(waitingForUs, at);
                runs.Add(new(ClockKind.Resolve, cycle, Label(), cycleStart, at));
                EndPauses(at);
                open = false;
                break;
        }
    }

    private void StartCycle(DateTimeOffset at)
    {
        cycle++;
        open = true;
        cycleStart = at;
        acknowledged = false;
        responses = 0;
        awaitingReplySince = null;
    }

    private void Acknowledge(DateTimeOffset at)
    {
        acknowledged = true;
        runs.Add(new(ClockKind.Acknowledge, cycle, Label(), cycleStart, at));
    }

    private void StopResponse(DateTimeOffset since, DateTimeOffset at)
    {
        runs.Add(new(ClockKind.NextResponse, cycle, ResponseLabel(), since, at));
        awaitingReplySince = null;
    }

    private void EndPauses(DateTimeOffset at)
    {
        EndPause(ref waitingSince, waiting, at);
        EndPause(ref snoozedSince, snoozes, at);
    }

    private static void EndPause(ref DateTimeOffset? since, List<Pause> into, DateTimeOffset at)
    {
        if (since is not { } start) return;
        into.Add(new(start, at));
        since = null;
    }

    /// <summary>Adds the runs still going at the evaluation instant.</summary>
    private void Finish()
    {
        if (waitingSince is { } w) waiting.Add(new(w, null));
        if (snoozedSince is { } s) snoozes.Add(new(s, null));
        if (!open) return;
        if (!acknowledged) runs.Add(new(ClockKind.Acknowledge, cycle, Label(), cycleStart, null));
        if (awaitingReplySince is { } since) runs.Add(new(ClockKind.NextResponse, cycle, ResponseLabel(), since, null));
        runs.Add(new(ClockKind.Resolve, cycle, Label(), cycleStart, null));
    }

    private string Label() => cycle.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string ResponseLabel() => $"{Label()}.{responses}";
}
