namespace Parley.Ingest;

/// <summary>Whether webhook acknowledgements are queuing at the ingest writer: the signal the inbound processor
/// yields the CPU on (acknowledge first, docs/adr/0047).</summary>
/// <remarks>A commit takes every request that arrived while the one before it ran, so how many requests a commit
/// holds is how many were waiting for their acknowledgement (Little's law: the arrival rate times the commit's
/// time). A server that copes commits a few at a time at moderate rates (4-15 at 1,000-2,000 req/s on SQLite or
/// PostgreSQL); when requests arrive faster than the CPU serves them, every connection ends up waiting at the writer
/// and commits hold dozens (37-67 with 128 connections in the closed loop). The writer reports each commit's size, and
/// <see cref="Queuing"/> is their moving average (over about eight commits, so the one large commit after a
/// processor's write turn on SQLite does not trip it) at or above <see cref="IngestOptions.YieldAbove"/>, while the
/// writer is awake: a writer asleep has nobody waiting.</remarks>
public sealed class IngestPressure(Microsoft.Extensions.Options.IOptions<IngestOptions> options)
{
    private readonly double _threshold = options.Value.YieldAbove;
    private double _average;
    private volatile bool _asleep = true;

    /// <summary>Requests per commit, averaged over about the last eight commits (for the benchmark and the metric).</summary>
    public double RequestsPerCommit => Volatile.Read(ref _average);

    /// <summary>Acknowledgements are waiting behind one another: the processor should let them have the CPU.</summary>
    public bool Queuing => Assume ?? (!_asleep && _threshold > 0 && RequestsPerCommit >= _threshold);

    /// <summary>Tests only: what <see cref="Queuing"/> says regardless of the writer (null: the writer decides).</summary>
    internal bool? Assume { get; set; }

    /// <summary>The ingest writer committed <paramref name="requests"/> (called on its thread alone).</summary>
    internal void Committed(int requests)
    {
        _asleep = false;
        Volatile.Write(ref _average, _average + (requests - _average) / 8);
    }

    /// <summary>The ingest writer found nothing to write and goes to sleep.</summary>
    internal void Asleep()
    {
        _asleep = true;
        Volatile.Write(ref _average, 0);
    }
}
