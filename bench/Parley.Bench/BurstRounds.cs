using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Ingest;

namespace Parley.Bench;

/// <summary>Acknowledge first (docs/adr/0047) measured: closed-loop bursts with the processor's yield on and off,
/// alternated in one run, each against bare Kestrel measured right before the round (bare, on, off; then bare, off,
/// on). For each burst: the acknowledged rate and its ratio to bare, the backlog the burst left (deliveries waiting and
/// the oldest one's age), how long processing took to work it off, and received → processed for the burst's
/// deliveries (from the raw rows: <c>ProcessedAt − ReceivedAt</c>; the message is readable when the batch commits,
/// a batch's own time, tens of milliseconds, after its <c>ProcessedAt</c>).</summary>
public static class BurstRounds
{
    public sealed record Burst(
        bool YieldOn, ClosedLoopResult Loop, CpuUse Cpu, double BareRate, int BacklogAtEnd, double OldestAgeAtEnd, TimeSpan Drain, bool Drained,
        Latencies ReceivedToProcessed, long YieldPolls, double YieldedSeconds, long CatchUpBatches, double RequestsPerCommit, double ProcessedDuring,
        double DrainCpuSeconds)
    {
        public double Ratio => Loop.Rate / BareRate;

        /// <summary>This process's CPU per acknowledged request during the burst (generator, request path and whatever
        /// processing ran meanwhile): what the yield moves, however busy the machine is.</summary>
        public double BurstCpuUs => Cpu.ShareOfAllCores * Environment.ProcessorCount * Loop.Seconds * 1e6 / Math.Max(1, Loop.Completed);

        /// <summary>CPU per acknowledged request for the burst and its drain together: the whole bill, processing included.</summary>
        public double TotalCpuUs => (Cpu.ShareOfAllCores * Environment.ProcessorCount * Loop.Seconds + DrainCpuSeconds) * 1e6 / Math.Max(1, Loop.Completed);
        public string Label => YieldOn ? "yield on" : "yield off";
    }

    public static async Task<IReadOnlyList<Burst>> RunAsync(ParleyUnderTest parley, Uri webhook, TweetBodies bodies, Func<long> nextTweet,
        Func<long> nextBare, BenchOptions o, ConcurrentQueue<Ack> acks, Action<string> say)
    {
        var processor = parley.App.Services.GetRequiredService<InboundProcessor>();
        var configured = processor.MaxProcessingDelay > TimeSpan.Zero ? processor.MaxProcessingDelay : TimeSpan.FromSeconds(5);
        var length = TimeSpan.FromSeconds(o.Seconds);
        var bursts = new List<Burst>();
        var (bare, url) = await BareKestrel.StartAsync();
        try
        {
            using var bareGenerator = new LoadGenerator(BareKestrel.WebhookUri(url), bodies, o.Connections);
            using var generator = new LoadGenerator(webhook, bodies, o.Connections);
            for (var round = 0; round < o.BurstRounds; round++)
            {
                var bareRate = (await bareGenerator.RunClosedAsync(o.Connections, length, nextBare, null)).Rate;
                say($"    round {round + 1}: bare Kestrel {bareRate:N0} req/s");
                foreach (var on in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    processor.MaxProcessingDelay = on ? configured : TimeSpan.Zero;
                    var burst = await BurstAsync(parley, generator, o.Connections, bodies, nextTweet, length, on, bareRate, acks);
                    bursts.Add(burst);
                    say(Invariant($"    {burst.Label}: {burst.Loop.Rate:N0} req/s ({burst.Ratio:0.00} × bare), CPU {burst.Cpu}, {burst.BurstCpuUs:N0} µs a request ",
                        $"during the burst, {burst.TotalCpuUs:N0} with its drain; ",
                        $"{burst.ProcessedDuring:N0} processed/s meanwhile, {burst.RequestsPerCommit:0.0} requests a commit; backlog at the end ",
                        $"{burst.BacklogAtEnd:N0} (oldest {burst.OldestAgeAtEnd:0.0} s), drained {(burst.Drained ? "in" : "NOT within")} ",
                        $"{burst.Drain.TotalSeconds:0.0} s; received -> processed {Seconds(burst.ReceivedToProcessed)}; yielded ",
                        $"{burst.YieldedSeconds:0.0} s, {burst.CatchUpBatches:N0} batches at the ceiling"));
                }
            }
        }
        finally
        {
            processor.MaxProcessingDelay = configured;
            await bare.StopAsync();
            await bare.DisposeAsync();
        }
        return bursts;
    }

    private static async Task<Burst> BurstAsync(ParleyUnderTest parley, LoadGenerator generator, int connections, TweetBodies bodies, Func<long> nextTweet,
        TimeSpan length, bool yieldOn, double bareRate, ConcurrentQueue<Ack> acks)
    {
        var processor = parley.App.Services.GetRequiredService<InboundProcessor>();
        var writer = parley.App.Services.GetRequiredService<IngestWriter>();
        await parley.DrainAsync(TimeSpan.FromMinutes(10));
        // Enough new tweets for a burst at bare Kestrel's rate, written before it starts.
        bodies.Prepare((int)Math.Min(nextTweet() + 1 + bareRate * length.TotalSeconds + 1_000, 4_000_000));
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var firstId = await parley.WithDbAsync(db => db.InboundEvents.MaxAsync(e => (long?)e.Id)) ?? 0;
        var messagesBefore = await parley.MessageCountAsync();
        var yieldBefore = processor.YieldTotals;
        var writerBefore = writer.Totals;
        var cpu = CpuMeter.Start();
        var loop = await generator.RunClosedAsync(connections, length, nextTweet, acks);
        var used = cpu.Stop();
        var writerAfter = writer.Totals;
        var processedDuring = (await parley.MessageCountAsync() - messagesBefore) / loop.Seconds;
        var (backlog, oldestAge) = await BacklogAsync(parley);
        var drainCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var (drain, drained) = await parley.DrainAsync(TimeSpan.FromMinutes(10));
        drainCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - drainCpu;
        var yieldAfter = processor.YieldTotals;
        var latencies = await ReceivedToProcessedAsync(parley, firstId);
        var commits = Math.Max(1, writerAfter.Commits - writerBefore.Commits);
        return new Burst(yieldOn, loop, used, bareRate, backlog, oldestAge, drain, drained, latencies,
            yieldAfter.Polls - yieldBefore.Polls, (yieldAfter.YieldedTicks - yieldBefore.YieldedTicks) / (double)Stopwatch.Frequency,
            yieldAfter.CatchUpBatches - yieldBefore.CatchUpBatches, (writerAfter.Rows - writerBefore.Rows) / (double)commits, processedDuring,
            drainCpu.TotalSeconds);
    }

    /// <summary>Deliveries waiting to be processed, and how long the oldest has waited (seconds).</summary>
    public static async Task<(int Count, double OldestAge)> BacklogAsync(ParleyUnderTest parley)
    {
        var count = await parley.PendingDeliveriesAsync();
        var oldest = await parley.WithDbAsync(db => db.InboundEvents.AsNoTracking().Where(e => e.Status == InboundStatus.Pending)
            .OrderBy(e => e.Id).Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync());
        return (count, oldest is { } at ? (DateTimeOffset.UtcNow - at).TotalSeconds : 0);
    }

    private static async Task<Latencies> ReceivedToProcessedAsync(ParleyUnderTest parley, long afterId)
    {
        var rows = await parley.WithDbAsync(db => db.InboundEvents.AsNoTracking().Where(e => e.Id > afterId && e.ProcessedAt != null)
            .Select(e => new { e.ReceivedAt, e.ProcessedAt }).ToListAsync());
        return new Latencies(rows.Select(r => Latencies.Ticks(r.ProcessedAt!.Value - r.ReceivedAt)));
    }

    private static string Seconds(Latencies l) => l.Count == 0 ? "no samples" : Invariant(
        $"p50 {l.Percentile(50) / 1000:0.00} s, p90 {l.Percentile(90) / 1000:0.00} s, p99 {l.Percentile(99) / 1000:0.00} s, max {l.Max / 1000:0.00} s");

    /// <summary>The bursts as a markdown table, for the report.</summary>
    public static string Render(IReadOnlyList<Burst> bursts, TimeSpan ceiling)
    {
        var s = new StringBuilder();
        s.AppendLine(Invariant($"Closed-loop bursts, acknowledge first (ADR 47) on and off, alternated (ceiling {ceiling.TotalSeconds:0.#} s):"));
        s.AppendLine();
        s.AppendLine("| burst | bare req/s | Parley req/s | × bare | CPU | µs CPU a request: burst / with drain | processed/s during | requests a commit | backlog at end (oldest) | drain | received → processed p50 / p90 / p99 / max | yielded, ceiling batches |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var b in bursts)
            s.AppendLine(Invariant($"| {b.Label} | {b.BareRate:N0} | {b.Loop.Rate:N0} | {b.Ratio:0.00} | {b.Cpu.ShareOfAllCores:P0} (others {b.Cpu.OthersShare:P0}) | {b.BurstCpuUs:N0} / {b.TotalCpuUs:N0} | ",
                $"{b.ProcessedDuring:N0} | {b.RequestsPerCommit:0.0} | {b.BacklogAtEnd:N0} ({b.OldestAgeAtEnd:0.0} s) | {b.Drain.TotalSeconds:0.0} s{(b.Drained ? "" : " (not drained)")} | ",
                $"{b.ReceivedToProcessed.Percentile(50) / 1000:0.00} / {b.ReceivedToProcessed.Percentile(90) / 1000:0.00} / {b.ReceivedToProcessed.Percentile(99) / 1000:0.00} / {b.ReceivedToProcessed.Max / 1000:0.00} s | ",
                $"{b.YieldedSeconds:0.0} s, {b.CatchUpBatches:N0} |"));
        foreach (var on in new[] { true, false })
        {
            var these = bursts.Where(b => b.YieldOn == on).ToList();
            if (these.Count > 0)
                s.AppendLine(Invariant($"\nMean, {(on ? "yield on" : "yield off")} ({these.Count} bursts): {these.Average(b => b.Ratio):0.00} × bare, ",
                    $"{these.Average(b => b.BurstCpuUs):N0} µs CPU a request during the burst, {these.Average(b => b.TotalCpuUs):N0} with its drain."));
        }
        return s.ToString();
    }

    private static string Invariant(params FormattableString[] parts) => string.Concat(parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
}
