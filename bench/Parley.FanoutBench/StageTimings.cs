using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Parley.Platform.Webhooks;

namespace Parley.FanoutBench;

/// <summary>Inside Parley's process: the fan-out's stage timings (<see cref="FanOutMetrics"/>, by a
/// <see cref="MeterListener"/>) and the event writer's own, counted in fixed buckets (0.1 ms up to 100 ms, then 1 ms
/// up to 60 s), so the benchmark can say where a delivery waited in each window. Memory is fixed from the start.</summary>
public sealed class StageTimings : IDisposable
{
    private const int Fine = 1_000, Buckets = Fine + 60_000;
    private readonly ConcurrentDictionary<string, Counts> _stages = new();
    private readonly MeterListener _listener = new();

    public StageTimings()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FanOutMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(NameOf(instrument, tags), value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(NameOf(instrument, tags), value));
        _listener.Start();
    }

    /// <summary>The instrument's name after <c>parley.webhooks.fanout.</c>; a tagged one is named by its tag
    /// (<c>step.send</c>, <c>tail_read.memory</c>).</summary>
    private static string NameOf(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var name = instrument.Name["parley.webhooks.fanout.".Length..];
        foreach (var tag in tags)
            name = (tag.Key == "phase" ? "step" : name) + "." + tag.Value;
        return name;
    }

    public void Add(string stage, double ms) => _stages.GetOrAdd(stage, _ => new Counts()).Add(ms);

    /// <summary>Each stage's percentiles since the last call (or, with <paramref name="total"/>, since the start).</summary>
    public Dictionary<string, StageWindow> Take(bool total) =>
        _stages.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value.Take(total));

    public void Dispose() => _listener.Dispose();

    private sealed class Counts
    {
        private readonly long[] _counts = new long[Buckets];
        private readonly long[] _taken = new long[Buckets];
        private readonly long[] _window = new long[Buckets];

        public void Add(double ms) =>
            Interlocked.Increment(ref _counts[ms < 100 ? Math.Max(0, (int)(ms * 10)) : (int)Math.Min(Buckets - 1, Fine + (ms - 100))]);

        public StageWindow Take(bool total)
        {
            lock (_taken)
            {
                var window = _window;
                for (var i = 0; i < Buckets; i++)
                {
                    var now = Interlocked.Read(ref _counts[i]);
                    window[i] = total ? now : now - _taken[i];
                    if (!total) _taken[i] = now;
                }
                var n = window.Sum();
                return new StageWindow(n, P(window, n, 50), P(window, n, 99), n == 0 ? 0 : Ms(Array.FindLastIndex(window, c => c > 0)));
            }
        }

        private static double P(long[] window, long n, double percent)
        {
            if (n == 0) return 0; // JSON has no NaN; an empty window prints as "-"
            var (rank, running) = ((long)Math.Ceiling(percent / 100 * n), 0L);
            for (var i = 0; i < Buckets; i++)
                if ((running += window[i]) >= rank) return Ms(i);
            return Ms(Buckets - 1);
        }

        private static double Ms(int bucket) => bucket < Fine ? bucket / 10.0 : bucket - Fine + 100;
    }
}

public sealed record StageWindow(long Count, double P50, double P99, double Max)
{
    public override string ToString() => Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{P50:0.#}/{P99:0.#}");
}
