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
            $"{o.Conversations} conversations, {o.Database}; baseline {o.BaselineSeconds} s. Machine: {Environment.ProcessorCount} cores.");
        await using var receivers = await Receivers.StartAsync(o.Failing);
        var healthy = o.Subscriptions - o.Failing;

        var baseline = o.BaselineSeconds > 0 ? await BareLoop.RunAsync(receivers, o) : null;
        if (baseline is not null)
            Console.WriteLine($"Baseline (bare loop, same bodies, same receivers): {baseline.Summary()}");
        receivers.Reset();

        await using var parley = await ParleyChild.StartAsync(o);
        var owner = await parley.PostAsync("/api/v1/users", new { name = "Bench Owner", email = "owner@bench.example", role = "admin", password = "correct horse battery" });
        var app = await parley.PostAsync("/api/v1/apps", new { name = "Fan-out bench", ownerId = owner.GetProperty("user").GetProperty("id").GetGuid(), scopes = new[] { "events:read" } });
        var appId = app.GetProperty("app").GetProperty("id").GetGuid();
        for (var n = 0; n < o.Subscriptions; n++)
            await parley.PostAsync($"/api/v1/apps/{appId}/webhooks", new { url = receivers.UrlOf(n), events = new[] { "conversation.*" } });

        var samples = new List<MemorySample> { await parley.MemoryAsync() };
        var clock = Stopwatch.StartNew();
        await parley.PostAsync($"/bench/events?rate={o.Rate.ToString(Inv)}&seconds={o.Seconds}&conversations={o.Conversations}", null);
        var nextReport = TimeSpan.FromSeconds(15);
        while (clock.Elapsed < TimeSpan.FromSeconds(o.Seconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            samples.Add(await parley.MemoryAsync());
            if (clock.Elapsed >= nextReport)
            {
                var w = await parley.WriterAsync();
                var q = await parley.QueueAsync();
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0} s: {w.Appended} events, queued {q.Pending + q.Done} deliveries ({q.Pending} pending), " +
                    $"healthy receipts {receivers.Delays.Count}, {receivers.Delays.Summary()}, " +
                    $"working set {Mib(samples[^1].WorkingSet):0} MiB, GC heap {Mib(samples[^1].GcHeap):0} MiB");
                nextReport += TimeSpan.FromSeconds(15);
            }
        }
        var writer = await parley.WriterAsync();
        var expected = writer.Appended * healthy;
        // Whatever is still queued at the end: give it a minute, and say how much never arrived.
        var drainStart = clock.Elapsed;
        while (receivers.Delays.Count < expected && clock.Elapsed - drainStart < TimeSpan.FromSeconds(60)) await Task.Delay(500);
        var drained = clock.Elapsed - drainStart;
        samples.Add(await parley.MemoryAsync());

        var report = new StringBuilder();
        report.AppendLine(Inv, $"Events appended: {writer.Appended} ({writer.Appended / (double)o.Seconds:0} /s; the writer fell behind its schedule by at most {writer.BehindMaxMs:0} ms)");
        report.AppendLine(Inv, $"Healthy receipts: {receivers.Delays.Count} of {expected} expected ({healthy} subscriptions); drained {drained.TotalSeconds:0} s after the writer stopped");
        report.AppendLine(Inv, $"Failing endpoint answered 500 {receivers.Failed} times");
        report.AppendLine(Inv, $"Delay to healthy endpoints (receipt - occurredAt): {receivers.Delays.Summary()}");
        if (baseline is not null)
            report.AppendLine(Inv, $"Baseline bare loop: {baseline.Summary()}; ratio p99 {receivers.Delays.P(99) / Math.Max(1, baseline.P(99)):0.0}x, p50 {receivers.Delays.P(50) / Math.Max(1, baseline.P(50)):0.0}x");
        report.AppendLine(Inv, $"Parley working set: start {Mib(samples[0].WorkingSet):0} MiB, end {Mib(samples[^1].WorkingSet):0} MiB, " +
            $"slope over the second half {Slope(samples, s => s.WorkingSet):+0.0;-0.0} MiB/min");
        report.AppendLine(Inv, $"Parley GC heap (in use): start {Mib(samples[0].GcHeap):0} MiB, end {Mib(samples[^1].GcHeap):0} MiB, " +
            $"slope over the second half {Slope(samples, s => s.GcHeap):+0.0;-0.0} MiB/min");
        Console.WriteLine();
        Console.Write(report);
        return 0;
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>Least-squares slope in MiB per minute over the second half of the samples (the first half includes
    /// the warm-up and the queues filling).</summary>
    private static double Slope(List<MemorySample> samples, Func<MemorySample, long> value)
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
