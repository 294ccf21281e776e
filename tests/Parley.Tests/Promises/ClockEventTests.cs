using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class ClockEventTests
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 3, 9, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset M(double minutes) => T0.AddMinutes(minutes);

    private static readonly ServiceLevelPolicy Policy = new()
    {
        Name = "X public mentions",
        TimeToAcknowledge = TimeSpan.FromMinutes(30),
        TimeToNextResponse = TimeSpan.FromHours(1),
        TimeToResolve = TimeSpan.FromHours(4),
        WarningLeadTimes = [TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)],
    };

    /// <summary>Acknowledged late (at 50 min), the customer writes again at 2 h, we answer late at 3 h 30,
    /// and it is never resolved. The sweep sees only the facts that have happened by each pass.</summary>
    private static readonly ConversationTimeline Timeline = ConversationTimeline.Of(
        TimelineFact.Created(T0),
        TimelineFact.AgentReplied(M(50)),
        TimelineFact.CustomerWrote(M(120)),
        TimelineFact.AgentReplied(M(210)));

    private static readonly Dictionary<string, DateTimeOffset> EveryEvent = new()
    {
        ["ack:1:warning:PT10M"] = M(20),
        ["ack:1:warning:PT5M"] = M(25),
        ["ack:1:breached"] = M(30),
        ["next:1.1:warning:PT10M"] = M(170),
        ["next:1.1:warning:PT5M"] = M(175),
        ["next:1.1:breached"] = M(180),
        ["resolve:1:warning:PT10M"] = M(230),
        ["resolve:1:warning:PT5M"] = M(235),
        ["resolve:1:breached"] = M(240),
    };

    /// <summary>What a sweep does each pass: evaluate, fire what is due, persist the keys with the events.</summary>
    private static List<ClockEvent> Sweep(ConversationTimeline timeline, DateTimeOffset now, HashSet<string> persistedKeys)
    {
        var due = ServiceClocks.DueEvents(ServiceClocks.Evaluate(Policy, timeline, now), persistedKeys.ToList()).ToList();
        foreach (var fired in due) persistedKeys.Add(fired.Key);
        return due;
    }

    [Fact]
    public void A_sweep_every_minute_fires_each_warning_and_breach_exactly_once_at_its_real_time()
    {
        var keys = new HashSet<string>();
        var fired = new List<ClockEvent>();

        for (var minute = 0; minute <= 6 * 60; minute++) fired.AddRange(Sweep(Timeline, M(minute), keys));

        Assert.Equal(EveryEvent.Keys.Order(StringComparer.Ordinal), fired.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(fired, e => Assert.Equal(EveryEvent[e.Key], e.At));
    }

    [Fact]
    public void Running_the_sweep_twice_at_the_same_instant_fires_nothing_the_second_time()
    {
        var keys = new HashSet<string>();

        var first = Sweep(Timeline, M(45), keys);
        var second = Sweep(Timeline, M(45), keys);

        Assert.Equal(["ack:1:breached"], first.Select(e => e.Key));
        Assert.Empty(second);
    }

    [Fact]
    public void A_restarted_sweep_with_the_persisted_keys_fires_only_what_it_had_not_fired()
    {
        var before = new HashSet<string>();
        var fired = new List<ClockEvent>();
        for (var minute = 0; minute <= 175; minute += 1) fired.AddRange(Sweep(Timeline, M(minute), before));

        // The process stops; all that survives is what was stored.
        var stored = string.Join('\n', before);
        var after = stored.Split('\n').ToHashSet();
        for (var minute = 170; minute <= 6 * 60; minute += 1) fired.AddRange(Sweep(Timeline, M(minute), after));

        Assert.Equal(EveryEvent.Count, fired.Count);
        Assert.Equal(EveryEvent.Keys.Order(StringComparer.Ordinal), fired.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_sweep_that_was_down_fires_the_missed_breach_with_its_real_time_and_drops_the_stale_warnings()
    {
        var keys = new HashSet<string>();
        var fired = new List<ClockEvent>();

        fired.AddRange(Sweep(Timeline, M(15), keys));
        fired.AddRange(Sweep(Timeline, M(45), keys)); // down from 15 to 45 minutes

        var only = Assert.Single(fired);
        Assert.Equal("ack:1:breached", only.Key);
        Assert.Equal(ClockEventKind.Breached, only.Kind);
        Assert.Equal(M(30), only.At);
    }

    [Fact]
    public void A_breach_noticed_only_after_the_late_reply_still_fires_once()
    {
        var keys = new HashSet<string>();

        var afterReply = Sweep(Timeline, M(60), keys);
        var later = Sweep(Timeline, M(61), keys);

        Assert.Equal(["ack:1:breached"], afterReply.Select(e => e.Key));
        Assert.Empty(later);
    }

    [Fact]
    public void Reopening_starts_new_cycles_whose_events_fire_again_under_new_keys()
    {
        var timeline = ConversationTimeline.Of(
            TimelineFact.Created(T0),
            TimelineFact.Resolved(M(60)),
            TimelineFact.Reopened(M(300)));
        var keys = new HashSet<string>();
        var fired = new List<ClockEvent>();

        for (var minute = 0; minute <= 400; minute += 5) fired.AddRange(Sweep(timeline, M(minute), keys));

        Assert.Contains(fired, e => e.Key == "ack:1:breached" && e.At == M(30));
        Assert.Contains(fired, e => e.Key == "ack:2:breached" && e.At == M(330));
        Assert.Contains(fired, e => e.Key == "ack:2:warning:PT10M" && e.At == M(320));
        Assert.Equal(fired.Count, fired.Select(e => e.Key).Distinct().Count());
    }

    [Fact]
    public void A_superseded_next_response_clock_still_fires_its_breach()
    {
        // The sweep is down while next response 1.1 breaches (at 75 min), is answered and 1.2 starts.
        var timeline = ConversationTimeline.Of(
            TimelineFact.Created(T0), TimelineFact.AgentReplied(M(5)),
            TimelineFact.CustomerWrote(M(15)), TimelineFact.AgentReplied(M(90)),
            TimelineFact.CustomerWrote(M(95)));

        var due = ServiceClocks.DueEvents(ServiceClocks.Evaluate(Policy, timeline, M(100)), []);

        Assert.Equal(["next:1.1:breached"], due.Select(e => e.Key));
        Assert.Equal("1.2", ServiceClocks.Evaluate(Policy, timeline, M(100)).NextResponse.Cycle);
    }

    [Fact]
    public void Event_keys_name_the_clock_the_cycle_and_the_threshold()
    {
        Assert.Equal("ack:1:breached", ClockEvent.KeyFor(ClockKind.Acknowledge, "1", ClockEventKind.Breached));
        Assert.Equal("next:2.3:warning:PT1H30M", ClockEvent.KeyFor(ClockKind.NextResponse, "2.3", ClockEventKind.Warning, TimeSpan.FromMinutes(90)));
        Assert.Equal("resolve:1:warning:PT5M", ClockEvent.KeyFor(ClockKind.Resolve, "1", ClockEventKind.Warning, TimeSpan.FromMinutes(5)));
    }
}
