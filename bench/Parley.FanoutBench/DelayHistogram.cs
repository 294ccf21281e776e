using System.Globalization;

namespace Parley.FanoutBench;

/// <summary>Delays in whole milliseconds, counted in buckets (constant memory however long the run), with
/// nearest-rank percentiles exact to the millisecond up to two minutes and everything later in one bucket.</summary>
public sealed class DelayHistogram
{
    private const int Buckets = 120_001;
    private readonly long[] _counts = new long[Buckets];
    private long _total;
    private long _maxMs;

    public long Count => Interlocked.Read(ref _total);

    public void Add(double milliseconds)
    {
        var ms = (long)Math.Max(0, Math.Round(milliseconds));
        Interlocked.Increment(ref _counts[Math.Min(ms, Buckets - 1)]);
        Interlocked.Increment(ref _total);
        long seen;
        while (ms > (seen = Interlocked.Read(ref _maxMs)) && Interlocked.CompareExchange(ref _maxMs, ms, seen) != seen) { }
    }

    public double P(double percent)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var rank = (long)Math.Ceiling(percent / 100 * total);
        long running = 0;
        for (var i = 0; i < Buckets; i++)
            if ((running += Interlocked.Read(ref _counts[i])) >= rank) return i;
        return Buckets - 1;
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P(50):0} ms, p99 {P(99):0} ms, max {Interlocked.Read(ref _maxMs):0} ms (n={Count})");
}
