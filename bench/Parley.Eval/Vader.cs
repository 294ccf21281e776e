using System.Diagnostics;
using System.Text.Json;

namespace Parley.Eval;

/// <summary>Runs the reference VADER (npm vader-sentiment) through vader/score.js. Throughput is timed
/// inside the node process around the scoring loop only, so start-up and I/O are not charged to it.</summary>
/// <param name="CpuSeconds">The best of five passes over all texts, in node's CPU time.</param>
/// <param name="WallSeconds">The best of five passes, by the wall clock.</param>
internal sealed record VaderRun(double[] Compound, double CpuSeconds, double WallSeconds)
{
    public Speed Speed => new(Compound.Length / CpuSeconds, Compound.Length / WallSeconds);

    /// <summary>VADER's own thresholds: compound ≥ 0.05 positive, ≤ -0.05 negative, else neutral.</summary>
    public static string Label(double compound) => compound >= 0.05 ? "positive" : compound <= -0.05 ? "negative" : "neutral";

    public static VaderRun Score(IReadOnlyList<string> texts)
    {
        var script = Path.Combine(RepoPaths.EvalFolder, "vader", "score.js");
        if (!Directory.Exists(Path.Combine(RepoPaths.EvalFolder, "vader", "node_modules", "vader-sentiment")))
            throw new InvalidOperationException("VADER is not installed: run `npm ci --prefix bench/Parley.Eval/vader` first.");
        var input = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(input, texts.Select(t => JsonSerializer.Serialize(t)));
            var start = new ProcessStartInfo("node", [script, input]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
            var output = node.StandardOutput.ReadToEnd();
            node.WaitForExit();
            if (node.ExitCode != 0) throw new InvalidOperationException($"node score.js exited with {node.ExitCode}.");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            using var timing = JsonDocument.Parse(lines[^1]);
            var scores = lines[..^1].Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (scores.Length != texts.Count) throw new InvalidDataException($"VADER scored {scores.Length} of {texts.Count} texts.");
            return new VaderRun(scores, timing.RootElement.GetProperty("cpuSeconds").GetDouble(), timing.RootElement.GetProperty("wallSeconds").GetDouble());
        }
        finally
        {
            File.Delete(input);
        }
    }
}
