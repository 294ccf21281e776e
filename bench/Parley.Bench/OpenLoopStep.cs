using System.Collections.Concurrent;

namespace Parley.Bench;

/// <summary>One open-loop run at a fixed rate against Parley, watching the event stream for each acknowledged
/// tweet: the acknowledgement latencies (from schedule) and the time from each 200 to its message.received.</summary>
public sealed record OpenLoopStep(OpenLoopResult Open, CpuUse Cpu, Latencies Readable, int NeverReadable, int ReadableBeforeAck,
    IReadOnlyCollection<Ack> Acks)
{
    /// <summary>Both of issue 2's latency targets held at this rate, and it was sustained.</summary>
    public bool MeetsTargets => Open.Sustained && NeverReadable == 0
        && Open.FromSchedule.Percentile(99) <= IngestReport.AckP99TargetMs && Readable.Percentile(99) <= IngestReport.ReadableP99TargetMs;

    /// <summary>This process's CPU (generator, request path and the processing that kept up meanwhile) per acknowledged
    /// request: what a change to processing's cost per delivery shows as, however busy the machine is.</summary>
    public double CpuPerRequestUs => Cpu.ShareOfAllCores * Environment.ProcessorCount * (Open.Seconds + Open.DrainSeconds) * 1e6 / Math.Max(1, Acks.Count);

    public static async Task<OpenLoopStep> RunAsync(ParleyUnderTest parley, LoadGenerator generator, Func<long> nextTweet, double rate,
        TimeSpan duration, TimeSpan readableWait)
    {
        await using var watcher = new EventStreamWatcher(parley.Url, ParleyUnderTest.AdminKey);
        await watcher.StartAsync(await parley.SecondNewestEventIdAsync());
        var acks = new ConcurrentQueue<Ack>();
        var cpu = CpuMeter.Start();
        // Two seconds of arrivals waiting for an answer means the rate is not being kept up with.
        var open = await generator.RunOpenAsync(rate, duration, nextTweet, acks, Math.Max(1_000, (long)(rate * 2)));
        var used = cpu.Stop();

        var never = await watcher.WaitForAsync(acks.Select(a => a.TweetId).ToList(), readableWait);
        var readable = new List<long>(acks.Count);
        var early = 0;
        foreach (var ack in acks)
        {
            if (!watcher.Arrivals.TryGetValue(ack.TweetId, out var at)) continue;
            if (at < ack.At) early++;
            readable.Add(Math.Max(0, at - ack.At));
        }
        return new OpenLoopStep(open, used, new Latencies(readable), never, early, acks);
    }
}
