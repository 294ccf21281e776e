namespace Parley.Bench;

/// <summary>The highest open-loop rate at which Parley meets both of issue 2's latency targets at once (ack p99 and
/// ack → readable p99), found with short steps: up by half while a step meets them, down by a third while it does
/// not, then one step half-way between the last rate that met them and the first that did not. This is the rate
/// a care team could run at end to end, so it is reported next to bare Kestrel's as a ratio.</summary>
public static class CapacitySearch
{
    public sealed record Step(double Rate, OpenLoopStep Result);

    public static async Task<IReadOnlyList<Step>> RunAsync(ParleyUnderTest parley, LoadGenerator generator, Func<long> nextTweet,
        Action<double> prepare, double start, double ceiling, TimeSpan stepLength, Action<string> say, IReadOnlyList<double>? fixedRates = null)
    {
        var steps = new List<Step>();
        double? met = null, missed = null;
        var rate = fixedRates?[0] ?? Math.Clamp(start, 100, ceiling);
        for (var i = 0; i < (fixedRates?.Count ?? 8); i++)
        {
            if (fixedRates is not null) rate = fixedRates[i];
            await parley.DrainAsync(TimeSpan.FromMinutes(5));
            prepare(rate);
            var result = await OpenLoopStep.RunAsync(parley, generator, nextTweet, rate, stepLength, TimeSpan.FromSeconds(30));
            steps.Add(new Step(rate, result));
            say($"    {rate,8:N0} req/s: ack p99 {result.Open.FromSchedule.Percentile(99):N1} ms, ack -> readable p99 "
                + $"{result.Readable.Percentile(99):N1} ms{(result.NeverReadable > 0 ? $", {result.NeverReadable:N0} never readable" : "")}"
                + $"{(result.Open.Sustained ? "" : ", not sustained")}, {result.CpuPerRequestUs:N0} µs CPU a request"
                + $" (others {result.Cpu.OthersShare:P0}) -> {(result.MeetsTargets ? "meets both" : "misses")}");
            if (fixedRates is not null) continue;
            if (result.MeetsTargets) met = Math.Max(met ?? 0, rate);
            else missed = Math.Min(missed ?? double.MaxValue, rate);

            double next;
            if (met is { } low && missed is { } high)
            {
                if (high / low < 1.15) break;
                next = (low + high) / 2;
            }
            else if (met is not null)
            {
                if (rate >= ceiling) break;
                next = Math.Min(ceiling, rate * 1.5);
            }
            else
            {
                if (rate <= 100) break;
                next = Math.Max(100, rate / 1.5);
            }
            rate = Math.Round(next / 10) * 10;
        }
        await parley.DrainAsync(TimeSpan.FromMinutes(5));
        return steps;
    }

    /// <summary>The highest rate that met both targets, or 0 when none did.</summary>
    public static double Capacity(IReadOnlyList<Step> steps) => steps.Where(s => s.Result.MeetsTargets).Select(s => s.Rate).DefaultIfEmpty(0).Max();
}
