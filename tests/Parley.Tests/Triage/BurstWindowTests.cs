using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class BurstWindowTests
{
    private static readonly DateTimeOffset Start = Posts.Now;
    private static readonly BurstPolicy Policy = new(TimeSpan.FromSeconds(45), TimeSpan.FromMinutes(2));

    [Fact]
    public void A_message_within_the_window_joins_the_burst()
    {
        Assert.True(BurstWindow.Joins(Start, Start.AddSeconds(20), Start.AddSeconds(60), Policy));
        Assert.True(BurstWindow.Joins(Start, Start.AddSeconds(45), TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void A_message_after_the_window_starts_a_new_burst()
    {
        Assert.False(BurstWindow.Joins(Start, Start.AddSeconds(20), Start.AddSeconds(66), Policy));
        Assert.False(BurstWindow.Joins(Start, Start.AddSeconds(46), TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void A_customer_who_keeps_writing_is_routed_once_the_hold_cap_is_reached()
    {
        // Every message comes within 45 s of the last, but the burst began more than two minutes ago.
        Assert.False(BurstWindow.Joins(Start, Start.AddSeconds(100), Start.AddSeconds(130), Policy));
        Assert.Equal(Start.AddMinutes(2), BurstWindow.RouteAt(Start, Start.AddSeconds(100), Policy));
    }

    [Fact]
    public void The_burst_is_ready_to_route_when_its_window_has_passed()
    {
        var last = Start.AddSeconds(10);

        Assert.False(BurstWindow.IsReady(Start, last, last.AddSeconds(30), Policy));
        Assert.True(BurstWindow.IsReady(Start, last, last.AddSeconds(46), Policy));
    }

    [Fact]
    public void Messages_group_into_bursts_in_time_order()
    {
        // "my flight" / "was cancelled" / "and nobody answers", then an unrelated post ten minutes later.
        var times = new[] { Start.AddSeconds(25), Start, Start.AddSeconds(50), Start.AddMinutes(10) };

        var bursts = BurstWindow.Group(times, Policy);

        Assert.Equal([3, 1], bursts.Select(b => b.Count));
        Assert.Equal(Start, bursts[0][0]);
    }
}
