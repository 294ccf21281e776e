using System.Diagnostics.Metrics;

namespace Parley.Ingest;

/// <summary>Where the inbound processor's write turns and the raw store's commits go, as histograms of the meter
/// <see cref="MeterName"/> (docs/adr/0036). Acknowledgements wait for the raw store's commit, and on SQLite also
/// behind the processor's turns. Nothing is recorded unless a listener
/// (the ingest benchmark's <c>--diagnose</c>, or OpenTelemetry / <c>dotnet-counters</c>) subscribes.</summary>
public static class ProcessingMetrics
{
    public const string MeterName = "Parley.Ingest";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>One piece of a batch's write turn, tagged <c>piece</c>: <c>wait</c> (for the turn), <c>begin</c>,
    /// <c>check</c> (the conversations read are unchanged), <c>write</c> (rows and deliveries' statuses),
    /// <c>commit</c>, <c>turn</c> (from entering the turn to its end, all of the above but the wait), and on SQLite
    /// <c>checkpoint</c> (the WAL checkpoint the processor runs after its turn, every so many deliveries).</summary>
    public static readonly Histogram<double> TurnPiece = Meter.CreateHistogram<double>("parley.ingest.processing.turn_piece", "ms");

    /// <summary>Deliveries a written batch held.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("parley.ingest.processing.batch_size", "{delivery}");

    /// <summary>One piece of the raw store's batch, tagged <c>piece</c>: <c>checkpoint</c> (the finishing step before
    /// <c>BEGIN</c> on SQLite, ADR 34), <c>begin</c> (SQLite's write lock, which a writer outside the <c>WriteGate</c> may
    /// hold), <c>insert</c> (every row), <c>commit</c>, <c>store</c> (all of them).</summary>
    public static readonly Histogram<double> StorePiece = Meter.CreateHistogram<double>("parley.ingest.raw_store.piece", "ms");

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp) as <paramref name="piece"/>, and returns now as the next piece's start.</summary>
    public static long Piece(string piece, long started) => Record(TurnPiece, piece, started);

    /// <summary>The same for a piece of the raw store's batch.</summary>
    public static long StoreStep(string piece, long started) => Record(StorePiece, piece, started);

    private static long Record(Histogram<double> histogram, string piece, long started)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (histogram.Enabled)
            histogram.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started, now).TotalMilliseconds, new KeyValuePair<string, object?>("piece", piece));
        return now;
    }
}
