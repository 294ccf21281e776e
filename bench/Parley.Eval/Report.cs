using System.Diagnostics;
using System.Globalization;
using Parley.Triage;

namespace Parley.Eval;

/// <summary>Markdown output and the shared measuring helpers.</summary>
/// <summary>A throughput measured two ways: per second of CPU time and per second of wall-clock time.</summary>
internal readonly record struct Speed(double CpuPostsPerSecond, double WallPostsPerSecond);

internal static class Report
{
    public static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static void Heading(string text) => Console.WriteLine($"\n### {text}\n");

    public static void Metrics(string who, ConfusionMatrix m, string authorsMetric)
    {
        var main = authorsMetric switch { "macro F1" => m.MacroF1, "accuracy" => m.Accuracy, _ => m.MacroRecall };
        Console.WriteLine($"| {who} | **{F(main)}** | {F(m.MacroRecall)} | {F(m.Accuracy)} | {F(m.MacroF1)} | {m.Total} |");
    }

    public static void MetricsHeader(string authorsMetric)
    {
        Console.WriteLine($"| system | {authorsMetric} (authors' metric) | macro recall | accuracy | macro F1 | texts |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    }

    public static void Matrix(string who, ConfusionMatrix m)
    {
        Console.WriteLine($"\n{who}, confusion matrix:\n");
        Console.Write(m.ToMarkdown());
    }

    /// <summary>Posts per second of <paramref name="action"/> over all texts on this thread, after a second
    /// of warm-up (so the JIT has finished optimising): the best of five rounds of at least 0.4 s each,
    /// by the process's CPU time and by the wall clock (Stopwatch). The machine is shared (other builds
    /// and tests run on its two cores), so the wall clock also counts time this thread waited for a core;
    /// the CPU figure measures the code. VADER is measured both ways too, inside node (vader/score.js).</summary>
    public static Speed Throughput(IReadOnlyList<string> texts, Action<string> action)
    {
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(1))
            foreach (var t in texts.Take(1000)) action(t);
        var best = new Speed(0, 0);
        for (var round = 0; round < 5; round++)
        {
            var done = 0L;
            var cpu = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            do
            {
                foreach (var t in texts) action(t);
                done += texts.Count;
            } while (watch.Elapsed < TimeSpan.FromSeconds(0.4));
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
            best = new Speed(Math.Max(best.CpuPostsPerSecond, done / cpuSeconds), Math.Max(best.WallPostsPerSecond, done / watch.Elapsed.TotalSeconds));
        }
        return best;
    }

    public static void SpeedHeader() => Console.WriteLine(
        "| what | posts/s (CPU time) | µs/post (CPU time) | × VADER | posts/s (wall clock) | × VADER (wall clock) |\n|---|---:|---:|---:|---:|---:|");

    public static void SpeedRow(string what, Speed speed, Speed vader) => Console.WriteLine(
        $"| {what} | {N(speed.CpuPostsPerSecond)} | {F(1e6 / speed.CpuPostsPerSecond)} | {speed.CpuPostsPerSecond / vader.CpuPostsPerSecond:0.0} | " +
        $"{N(speed.WallPostsPerSecond)} | {speed.WallPostsPerSecond / vader.WallPostsPerSecond:0.0} |");

    /// <summary>The machine's load when a speed was measured: other processes share its cores.</summary>
    public static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    public static TriageInput Input(string text) =>
        new(text, PostVisibility.Public, "x", new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
}
