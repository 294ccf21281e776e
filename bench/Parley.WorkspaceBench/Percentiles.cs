using System.Globalization;

namespace Parley.WorkspaceBench;

/// <summary>Summary statistics of a set of durations in milliseconds (nearest-rank percentiles).</summary>
public sealed class Percentiles(IEnumerable<double> values)
{
    private readonly double[] _sorted = values.Order().ToArray();

    public int Count => _sorted.Length;
    public double P(double percent) => _sorted.Length == 0 ? double.NaN
        : _sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P(50):0.0} ms, p90 {P(90):0.0} ms, p99 {P(99):0.0} ms, max {Max:0.0} ms (n={Count})");
}
