using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

/// <summary>Percentiles of a set of durations measured in <see cref="Stopwatch"/> ticks.</summary>
public sealed class Latencies
{
    private readonly long[] _sorted;

    public Latencies(IEnumerable<long> ticks)
    {
        _sorted = [.. ticks];
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    /// <summary>The nearest-rank percentile, in milliseconds; NaN when there are no samples.</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return Ms(_sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)]);
    }

    public double Max => _sorted.Length == 0 ? double.NaN : Ms(_sorted[^1]);

    public double Mean => _sorted.Length == 0 ? double.NaN : Ms((long)_sorted.Average());

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    public string Summary() => Count == 0 ? "no samples" : string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(50):0.00} ms, p90 {Percentile(90):0.00} ms, p99 {Percentile(99):0.00} ms, max {Max:0.00} ms");
}
