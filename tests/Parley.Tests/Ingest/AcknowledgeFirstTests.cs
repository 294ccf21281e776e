using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Ingest;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

/// <summary>Acknowledge first (docs/adr/0047): while acknowledgements queue at the ingest writer, processing waits,
/// up to a ceiling on how long the oldest delivery waits, and never while holding the write gate. The clock is the
/// test's: the ceiling is reached only when the test moves it.</summary>
public sealed class AcknowledgeFirstTests
{
    [Fact]
    public void Acknowledgements_count_as_queuing_only_while_commits_stay_large_and_keep_coming()
    {
        var clock = new SteppedTimestamps();
        var pressure = new IngestPressure(Options.Create(new IngestOptions()), clock);
        Assert.False(pressure.Queuing);
        for (var i = 0; i < 30; i++) pressure.Committed(5);
        clock.Advance(IngestPressure.Sustained);
        pressure.Committed(5);
        Assert.False(pressure.Queuing); // busy but coping: a few requests a commit
        pressure.Committed(300);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 10; i++) pressure.Committed(5);
        clock.Advance(IngestPressure.Sustained);
        pressure.Committed(5);
        Assert.False(pressure.Queuing); // one large commit (a stall, or a processor's write turn on SQLite) is not a queue

        for (var i = 0; i < 10; i++) pressure.Committed(60);
        Assert.False(pressure.Queuing); // not yet for long
        clock.Advance(IngestPressure.Sustained);
        pressure.Committed(60);
        Assert.True(pressure.Queuing); // every commit full of waiting requests for a while, as in a closed loop
        clock.Advance(IngestPressure.Recent - TimeSpan.FromMilliseconds(1));
        Assert.True(pressure.Queuing); // a writer asleep between commits: the answered clients have not sent again yet
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.False(pressure.Queuing); // no commit for a while: the burst is over
        pressure.Committed(3);
        clock.Advance(IngestPressure.Sustained);
        pressure.Committed(3);
        Assert.False(pressure.Queuing); // what comes after the pause is judged on its own commits, not the burst's average
    }

    /// <summary>A clock whose timestamps move only when the test says so.</summary>
    private sealed class SteppedTimestamps : TimeProvider
    {
        private long _now = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now;

        public void Advance(TimeSpan by) => _now += by.Ticks;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task While_acknowledgements_queue_processing_waits_and_resumes_once_they_stop(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(provider, clock: clock, settings: YieldOn);
        var (processor, pressure) = Services(parley);
        var channel = await parley.CreateXChannelAsync();
        pressure.Assume = true;

        await DeliverTwoAsync(parley, channel);
        await YieldedAsync(processor, 3);
        Assert.Equal(2, await PendingAsync(parley));
        clock.Advance(TimeSpan.FromSeconds(2));
        var stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.True(stats.GetProperty("processingYields").GetBoolean());
        Assert.Equal(2, stats.GetProperty("oldestPendingAgeSeconds").GetDouble(), 3);

        pressure.Assume = null; // the writer decides again: its commits held a delivery each
        await parley.DrainInboundAsync();
        Assert.Equal(2, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        Assert.Equal(0, processor.YieldTotals.CatchUpBatches);
        stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, stats.GetProperty("oldestPendingAgeSeconds").ValueKind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Past_the_ceiling_processing_runs_although_acknowledgements_still_queue(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(provider, clock: clock,
            settings: new Dictionary<string, string?> { ["Parley:Ingest:MaxProcessingDelay"] = "00:00:03" });
        var (processor, pressure) = Services(parley);
        var channel = await parley.CreateXChannelAsync();
        pressure.Assume = true;

        await DeliverTwoAsync(parley, channel);
        await YieldedAsync(processor, 3);
        clock.Advance(TimeSpan.FromSeconds(2.9));
        await YieldedAsync(processor, processor.YieldTotals.Polls + 3);
        Assert.Equal(2, await PendingAsync(parley)); // just short of the ceiling: still waiting

        clock.Advance(TimeSpan.FromSeconds(0.2));
        await parley.DrainInboundAsync();
        Assert.True(pressure.Queuing);
        Assert.True(processor.YieldTotals.CatchUpBatches >= 1);
        Assert.Equal(2, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
    }

    [Fact]
    public async Task On_SQLite_a_yielding_processor_does_not_hold_the_write_gate_and_catches_up_in_its_own_turn()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite, clock: clock, settings: YieldOn);
        var (processor, pressure) = Services(parley);
        var gate = parley.App.Services.GetRequiredService<WriteGate>();
        var channel = await parley.CreateXChannelAsync();
        pressure.Assume = true;

        await DeliverTwoAsync(parley, channel);
        await YieldedAsync(processor, 3);
        // Anyone (the ingest writer) gets the gate while the processor yields, and the processor keeps yielding meanwhile.
        using (await gate.EnterAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            await YieldedAsync(processor, processor.YieldTotals.Polls + 3);
            clock.Advance(TimeSpan.FromMinutes(1));
            await TestParley.EventuallyAsync(() => Task.FromResult(processor.YieldTotals.CatchUpBatches > 0 ? "" : null), "the ceiling");
            // Its catch-up batch is a write like any other: it waits for its turn.
            Assert.Equal(2, await PendingAsync(parley));
        }
        await parley.DrainInboundAsync();
        Assert.Equal(2, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
    }

    [Fact]
    public async Task The_yield_is_off_unless_a_ceiling_is_configured()
    {
        // Off by default: on the quiet machine it gained acknowledgements nothing and put the inbox further behind (ADR 47).
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var (processor, pressure) = Services(parley);
        var channel = await parley.CreateXChannelAsync();
        pressure.Assume = true;

        await DeliverTwoAsync(parley, channel);
        await parley.DrainInboundAsync();
        Assert.Equal(0, processor.YieldTotals.Polls);
    }

    /// <summary>The yield is off by default (docs/adr/0047); these tests turn it on with a ceiling of 5 s.</summary>
    private static readonly Dictionary<string, string?> YieldOn = new() { ["Parley:Ingest:MaxProcessingDelay"] = "00:00:05" };

    private static (InboundProcessor, IngestPressure) Services(TestParley parley) =>
        (parley.App.Services.GetRequiredService<InboundProcessor>(), parley.App.Services.GetRequiredService<IngestPressure>());

    private static async Task DeliverTwoAsync(TestParley parley, Guid channel)
    {
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("9101", "456", "ana", "@zammadhq my bag is lost", T0)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("9102", "457", "ben", "@zammadhq where is my refund", T0)));
    }

    /// <summary>Waits until the processor has looked and chosen to yield at least <paramref name="polls"/> times.</summary>
    private static async Task YieldedAsync(InboundProcessor processor, long polls) =>
        await TestParley.EventuallyAsync(() => Task.FromResult(processor.YieldTotals.Polls >= polls ? "" : null), $"{polls} yields");

    private static Task<int> PendingAsync(TestParley parley) =>
        parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count(e => e.Status == InboundStatus.Pending)));
}
