using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.FanoutBench;

public static class FanoutBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(FanoutOptions o)
    {
        Console.WriteLine($"Fan-out benchmark: {o.Rate.ToString(Inv)} events/s for {o.Seconds} s to {o.Subscriptions} subscriptions ({o.Failing} failing), " +
            $"{o.Conversations} conversations, {o.Database}; baseline {o.BaselineSeconds} s. Machine: {Environment.ProcessorCount} cores, load average {ProcessSample.LoadAverage()}.");
        await using var receivers = await Receivers.StartAsync(o.Failing, o.Subscriptions);
        var healthy = o.Subscriptions - o.Failing;
        var due = o.Rate * healthy;

        // The baseline runs in this process alone (sender and receivers), so its CPU per delivery is this process's.
        var baselineStart = ProcessSample.Now();
        var baseline = o.BaselineSeconds > 0 ? await BareLoop.RunAsync(receivers, o) : null;
        var baselineCpuUs = double.NaN;
        if (baseline is not null)
        {
            var end = ProcessSample.Now();
            baselineCpuUs = (end.CpuMs - baselineStart.CpuMs) * 1000 / Math.Max(1, baseline.Count);
            Console.WriteLine($"Baseline (bare loop, same bodies, same receivers): {baseline.Summary()}; " +
                $"CPU {baselineCpuUs:0} µs per delivery (sender and receivers), {Cores(baselineStart, end):0.00} cores used, load average {ProcessSample.LoadAverage()}");
        }
        receivers.Reset();

        await using var parley = await ParleyChild.StartAsync(o);
        var owner = await parley.PostAsync("/api/v1/users", new { name = "Bench Owner", email = "owner@bench.example", role = "admin", password = "correct horse battery" });
        var app = await parley.PostAsync("/api/v1/apps", new { name = "Fan-out bench", ownerId = owner.GetProperty("user").GetProperty("id").GetGuid(), scopes = new[] { "events:read" } });
        var appId = app.GetProperty("app").GetProperty("id").GetGuid();
        for (var n = 0; n < o.Subscriptions; n++)
            await parley.PostAsync($"/api/v1/apps/{appId}/webhooks", new { url = receivers.UrlOf(n), events = new[] { "conversation.*" } });

        var samples = new List<ProcessSample> { await parley.MemoryAsync() };
        var bench = new List<ProcessSample> { ProcessSample.Now() };
        var loads = new List<double>();
        var clock = Stopwatch.StartNew();
        await parley.WaitForFollowersAsync(o.Subscriptions);
        await parley.StagesAsync(total: false); // what the set-up recorded is not the run's
        await parley.PostAsync($"/bench/events?rate={o.Rate.ToString(Inv)}&seconds={o.Seconds}&conversations={o.Conversations}", null);
        receivers.TakeWindow();
        Console.WriteLine("  Every 10 s: time, events appended, receipts at the healthy endpoints in the window (per second; due: " +
            $"{due:0}/s), the window's delays, receipts so far at the slowest and fastest subscription, Parley's and the receivers' CPU (cores) and CPU per receipt, Parley's threads and queued work items, GC pause, memory, load average.");
        var (lastReport, lastChild, lastBench, lastReceipts) = (TimeSpan.Zero, samples[0], bench[0], 0L);
        while (clock.Elapsed < TimeSpan.FromSeconds(o.Seconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            samples.Add(await parley.MemoryAsync());
            bench.Add(ProcessSample.Now());
            loads.Add(ProcessSample.LoadAverage1());
            if (clock.Elapsed - lastReport < TimeSpan.FromSeconds(9.5)) continue;
            var (child, self, receipts, window) = (samples[^1], bench[^1], receivers.Delays.Count, receivers.TakeWindow());
            var seconds = (child.At - lastChild.At).TotalSeconds;
            var got = receipts - lastReceipts;
            var cpuUs = (child.CpuMs - lastChild.CpuMs + self.CpuMs - lastBench.CpuMs) * 1000 / Math.Max(1, got);
            var w = await parley.WriterAsync();
            var per = receivers.PerReceiver();
            Console.WriteLine(string.Create(Inv, $"  {clock.Elapsed.TotalSeconds,4:0} s: {w.Appended,7} events, {got / seconds,6:0}/s received, " +
                $"window p50 {window.P(50),6:0} ms p99 {window.P(99),6:0} ms; slowest subscription {per.Min(),7}, fastest {per.Max(),7}; CPU Parley {Cores(lastChild, child):0.00} receivers {Cores(lastBench, self):0.00}, " +
                $"{cpuUs:0} µs/receipt; threads {child.Threads} queued {child.ThreadPoolQueue}; GC pause {child.GcPauseMs - lastChild.GcPauseMs:0} ms; " +
                $"WS {Mib(child.WorkingSet):0} MiB heap {Mib(child.GcHeap):0} MiB; load {ProcessSample.LoadAverage()}"));
            Console.WriteLine("        stages p50/p99 ms: " + Stages(await parley.StagesAsync(total: false)));
            (lastReport, lastChild, lastBench, lastReceipts) = (clock.Elapsed, child, self, receipts);
        }
        var writer = await parley.WriterAsync();
        var runEnd = (Child: samples[^1], Bench: bench[^1], Receipts: receivers.Delays.Count);
        var expected = writer.Appended * healthy;
        // Whatever is still queued at the end: give it a minute, and say how much never arrived.
        var drainStart = clock.Elapsed;
        while (receivers.Delays.Count < expected && clock.Elapsed - drainStart < TimeSpan.FromSeconds(60)) await Task.Delay(500);
        var drained = clock.Elapsed - drainStart;
        samples.Add(await parley.MemoryAsync());

        var report = new StringBuilder();
        report.AppendLine(Inv, $"Events appended: {writer.Appended} ({writer.Appended / (double)o.Seconds:0} /s; the writer fell behind its schedule by at most {writer.BehindMaxMs:0} ms)");
        report.AppendLine(Inv, $"Healthy receipts: {receivers.Delays.Count} of {expected} expected ({healthy} subscriptions); drained {drained.TotalSeconds:0} s after the writer stopped");
        var each = receivers.PerReceiver();
        report.AppendLine(Inv, $"Receipts per healthy subscription: min {each.Min()}, max {each.Max()}");
        report.AppendLine(Inv, $"Failing endpoint answered 500 {receivers.Failed} times");
        report.AppendLine(Inv, $"Delay to healthy endpoints (receipt - occurredAt): {receivers.Delays.Summary()}");
        report.AppendLine("Where it waited, p50/p99 ms over the run (ages are now - occurredAt; step.* are a follower's phases): " +
            Stages(await parley.StagesAsync(total: true)));
        if (baseline is not null)
            report.AppendLine(Inv, $"Baseline bare loop: {baseline.Summary()}; ratio p99 {receivers.Delays.P(99) / Math.Max(1, baseline.P(99)):0.0}x, p50 {receivers.Delays.P(50) / Math.Max(1, baseline.P(50)):0.0}x");

        // CPU per delivery while the writer ran: Parley's process (fan-out, event writer, SQLite if used; not a
        // PostgreSQL server) plus this one (the receivers), against the bare loop's sender and receivers.
        var parleyCpuUs = (runEnd.Child.CpuMs - samples[0].CpuMs) * 1000 / Math.Max(1, runEnd.Receipts);
        var receiverCpuUs = (runEnd.Bench.CpuMs - bench[0].CpuMs) * 1000 / Math.Max(1, runEnd.Receipts);
        var total = parleyCpuUs + receiverCpuUs;
        var versus = baseline is null ? "" : string.Create(Inv, $"; bare loop (sender and receivers) {baselineCpuUs:0} µs; ratio {total / baselineCpuUs:0.0}x");
        report.AppendLine(Inv, $"CPU per healthy receipt while the writer ran: Parley {parleyCpuUs:0} µs + receivers {receiverCpuUs:0} µs = {total:0} µs{versus}");
        var cores = Cores(samples[0], runEnd.Child) + Cores(bench[0], runEnd.Bench);
        report.AppendLine(Inv, $"CPU the target needs at that cost: {due:0} receipts/s x {total:0} µs = {due * total / 1e6:0.00} cores of {Environment.ProcessorCount}; " +
            $"Parley and the receivers got {cores:0.00} cores on average; load average during the run {loads.DefaultIfEmpty(double.NaN).Average():0.0} (max {loads.DefaultIfEmpty(double.NaN).Max():0.0}), now {ProcessSample.LoadAverage()}");
        report.AppendLine(Verdict(receivers.Delays.P(99), due * total / 1e6, cores));
        report.AppendLine(Inv, $"Parley's GC: {runEnd.Child.Gen0 - samples[0].Gen0} gen0, {runEnd.Child.Gen1 - samples[0].Gen1} gen1, {runEnd.Child.Gen2 - samples[0].Gen2} gen2 collections, " +
            $"paused {runEnd.Child.GcPauseMs - samples[0].GcPauseMs:0} ms in all; allocated {(runEnd.Child.Allocated - samples[0].Allocated) / (double)Math.Max(1, runEnd.Receipts):0} bytes per receipt");
        report.AppendLine(Memory("working set", samples, s => s.WorkingSet));
        report.AppendLine(Memory("GC heap in use", samples, s => s.GcHeap));
        report.AppendLine(Memory("GC heap size after the last collection", samples, s => s.GcHeapSize));
        Console.WriteLine();
        Console.Write(report);
        return 0;
    }

    /// <summary>Whether the target was met and, if not, whether CPU was what held it back: the cores the measured CPU
    /// per receipt needs at the target's rate, against the cores the benchmark's two processes got on the shared machine.</summary>
    private static string Verdict(double p99, double coresNeeded, double coresGot)
    {
        if (p99 <= 1000) return string.Create(Inv, $"Verdict: target met (p99 {p99:0} ms <= 1,000 ms).");
        var fits = coresNeeded <= Environment.ProcessorCount * 0.8
            ? "That fits this machine's cores when others leave them free: run it on a quiet machine."
            : coresNeeded <= Environment.ProcessorCount
                ? "That is within this machine's cores but leaves less than a fifth of them to catch up after the start."
                : "That is more than this machine has.";
        if (coresGot < coresNeeded * 0.9)
            return string.Create(Inv, $"Verdict: target not met (p99 {p99:0} ms), held back by CPU: at the measured CPU per receipt the rate needs " +
                $"{coresNeeded:0.00} cores, and Parley with the receivers got {coresGot:0.00} on average (load average {ProcessSample.LoadAverage()}; " +
                $"a PostgreSQL server's CPU is not counted, and the windows above show whether Parley was short of CPU throughout or waiting). {fits}");
        return string.Create(Inv, $"Verdict: target not met (p99 {p99:0} ms) with the CPU it needed ({coresGot:0.00} cores got, {coresNeeded:0.00} needed): the limit is not CPU.");
    }

    /// <summary>The stages in the order a delivery meets them, then the follower's step phases.</summary>
    private static string Stages(Dictionary<string, StageWindow> stages)
    {
        string[] order = ["writer.commit", "newest_at_read", "age_at_read", "age_at_send", "age_at_answer", "step.rest", "step.load", "step.read", "step.send", "step.commit", "group_write",
            "tail_read.memory", "tail_read.extended", "tail_read.behind"];
        return string.Join("; ", order.Where(stages.ContainsKey).Select(k => $"{k} {stages[k]}"));
    }

    /// <summary>Cores used between two samples of the same process: CPU time over wall time.</summary>
    private static double Cores(ProcessSample from, ProcessSample to) =>
        (to.CpuMs - from.CpuMs) / Math.Max(1, (to.At - from.At).TotalMilliseconds);

    /// <summary>Memory at the start, the average of the first and of the last minute of samples, and the slope of
    /// the second half: growth shows as a last minute above the first and a positive slope.</summary>
    private static string Memory(string name, List<ProcessSample> samples, Func<ProcessSample, long> value)
    {
        var (from, to) = (samples[0].At, samples[^1].At);
        var first = samples.Where(s => s.At - from <= TimeSpan.FromMinutes(1)).Select(s => Mib(value(s))).ToList();
        var last = samples.Where(s => to - s.At <= TimeSpan.FromMinutes(1)).Select(s => Mib(value(s))).ToList();
        return string.Create(Inv, $"Parley {name}: start {Mib(value(samples[0])):0} MiB; first minute average {first.Average():0} MiB (max {first.Max():0}), " +
            $"last minute average {last.Average():0} MiB (max {last.Max():0}); slope over the second half {Slope(samples, value):+0.0;-0.0} MiB/min");
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>Least-squares slope in MiB per minute over the second half of the samples (the first half includes
    /// the warm-up and the queues filling).</summary>
    private static double Slope(List<ProcessSample> samples, Func<ProcessSample, long> value)
    {
        var half = samples.Skip(samples.Count / 2).ToList();
        if (half.Count < 2) return double.NaN;
        var t0 = half[0].At;
        var xs = half.Select(s => (s.At - t0).TotalMinutes).ToList();
        var ys = half.Select(s => Mib(value(s))).ToList();
        var (mx, my) = (xs.Average(), ys.Average());
        var den = xs.Sum(x => (x - mx) * (x - mx));
        return den == 0 ? double.NaN : xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / den;
    }
}

/// <summary>The baseline: the least a fan-out must do. A loop makes the same events (the envelope Parley sends) at
/// the same rate and POSTs each body straight to every receiver, with no database, queue, signature or retry.</summary>
public static class BareLoop
{
    public static async Task<DelayHistogram> RunAsync(Receivers receivers, FanoutOptions o)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var inFlight = new SemaphoreSlim(256);
        var subjects = Enumerable.Range(0, o.Conversations).Select(_ => Guid.NewGuid()).ToArray();
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var pending = new List<Task>();
        long sent = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(o.BaselineSeconds) && await timer.WaitForNextTickAsync())
        {
            var due = (long)(o.Rate * clock.Elapsed.TotalSeconds) - sent;
            for (var i = 0; i < due; i++)
            {
                var n = sent + i;
                var conversation = subjects[n % subjects.Length];
                var body = JsonSerializer.Serialize(new
                {
                    id = Guid.CreateVersion7(), type = "conversation.bench", occurredAt = DateTimeOffset.UtcNow,
                    subject = $"conversations/{conversation}", brandId = (Guid?)null, data = new { conversationId = conversation, n },
                }, JsonSerializerOptions.Web);
                for (var r = 0; r < o.Subscriptions; r++)
                {
                    await inFlight.WaitAsync();
                    pending.Add(PostAsync(client, receivers.UrlOf(r), body, inFlight));
                }
            }
            sent += due;
            pending.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(pending);
        return receivers.Delays;
    }

    private static async Task PostAsync(HttpClient client, string url, string body, SemaphoreSlim inFlight)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(url, content);
        }
        catch (HttpRequestException) { }
        finally { inFlight.Release(); }
    }
}
