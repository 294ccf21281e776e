namespace Parley.Ingest;

/// <summary>Whether webhook acknowledgements are queuing at the ingest writer: the signal the inbound processor
/// yields the CPU on (acknowledge first, docs/adr/0047).</summary>
/// <remarks>A commit takes every request that arrived while the one before it ran, so how many requests a commit
/// holds is how many were waiting for their acknowledgement together (Little's law: the arrival rate times the time
/// between commits). A server that copes commits a few at a time at moderate rates; when requests arrive faster than
/// the CPU serves them, every connection ends up waiting at the writer and commits hold dozens (96-127 with 128
/// connections in the benchmark's closed loop). The writer reports each commit's size; <see cref="Queuing"/> is their
/// moving average (over about eight commits, so the one large commit after a processor's write turn on SQLite does not
/// trip it) at or above <see cref="IngestOptions.YieldAbove"/> for <see cref="Sustained"/> at least (a stall of the
/// machine makes one large commit, and the average falls again within a few commits), while commits keep coming (the
/// last within <see cref="Recent"/>). Whether the writer sleeps between commits says nothing: in a closed loop every waiting
/// request is in the commit, and the writer sleeps until the answered clients send again.</remarks>
public sealed class IngestPressure(Microsoft.Extensions.Options.IOptions<IngestOptions> options, TimeProvider clock)
{
    /// <summary>A burst has ended when no commit came for this long: the processor resumes at once.</summary>
    public static readonly TimeSpan Recent = TimeSpan.FromMilliseconds(250);

    /// <summary>How long commits must stay large before acknowledgements count as queuing: at moderate rates on a busy
    /// shared machine single stalls lifted the average past the threshold for a poll or two (ADR 47's runs).</summary>
    public static readonly TimeSpan Sustained = TimeSpan.FromMilliseconds(200);

    private readonly double _threshold = options.Value.YieldAbove;
    private double _average;
    private long _lastCommit, _aboveSince;

    /// <summary>Requests per commit, averaged over about the last eight commits (for the benchmark and the metric).</summary>
    public double RequestsPerCommit => Volatile.Read(ref _average);

    /// <summary>Acknowledgements are waiting behind one another: the processor should let them have the CPU.</summary>
    public bool Queuing => Assume ?? (Volatile.Read(ref _aboveSince) is var above and not 0 && clock.GetElapsedTime(above) >= Sustained
        && clock.GetElapsedTime(Volatile.Read(ref _lastCommit)) < Recent);

    /// <summary>Tests only: what <see cref="Queuing"/> says regardless of the writer (null: the writer decides).</summary>
    internal bool? Assume { get; set; }

    /// <summary>The ingest writer committed <paramref name="requests"/> (called on its thread alone).</summary>
    internal void Committed(int requests)
    {
        var now = clock.GetTimestamp();
        // After a pause the last burst's average says nothing about this one: start again from this commit (the
        // capacity search's first steps after an overload yielded a poll on the average the overload left).
        var resumed = _lastCommit == 0 || clock.GetElapsedTime(_lastCommit, now) >= Recent;
        if (resumed) Volatile.Write(ref _aboveSince, 0);
        var average = resumed ? requests : _average + (requests - _average) / 8;
        Volatile.Write(ref _average, average);
        Volatile.Write(ref _lastCommit, now);
        if (_threshold <= 0 || average < _threshold) Volatile.Write(ref _aboveSince, 0);
        else if (_aboveSince == 0) Volatile.Write(ref _aboveSince, now);
    }
}
