using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class ServiceClocksTests
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bst = TimeSpan.FromHours(1);

    private static DateTimeOffset M(double minutes) => T0.AddMinutes(minutes);

    private static ServiceLevelPolicy Policy(TimeSpan? acknowledge = null, TimeSpan? nextResponse = null, TimeSpan? resolve = null) =>
        new() { Name = "X public mentions", TimeToAcknowledge = acknowledge, TimeToNextResponse = nextResponse, TimeToResolve = resolve };

    private static BusinessCalendar LondonNineToFive => BusinessCalendar.Create("Europe/London", WeeklyOpening.Weekdays(new(9, 0), new(17, 0)));

    [Fact]
    public void An_unanswered_conversation_breaches_its_acknowledge_target_when_the_time_runs_out()
    {
        var report = ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromMinutes(30)), ConversationTimeline.Of(TimelineFact.Created(T0)), M(45));

        var ack = report.Acknowledge;
        Assert.Equal(ClockState.Breached, ack.State);
        Assert.Equal(M(30), ack.DueAt);
        Assert.Equal(M(30), ack.BreachedAt);
        Assert.Equal(TimeSpan.FromMinutes(45), ack.Elapsed);
        Assert.Equal(TimeSpan.FromMinutes(-15), ack.TimeLeft);
        Assert.Null(ack.StoppedAt);
        Assert.Equal("1", ack.Cycle);
        Assert.Equal(ClockState.NotApplicable, report.Resolve.State);
    }

    [Fact]
    public void The_first_reply_meets_the_acknowledge_clock_with_time_to_spare()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.Created(T0), TimelineFact.AgentReplied(M(20)));

        var ack = ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromMinutes(30)), timeline, M(120)).Acknowledge;

        Assert.Equal(ClockState.Met, ack.State);
        Assert.Equal(M(20), ack.StoppedAt);
        Assert.Equal(TimeSpan.FromMinutes(10), ack.TimeLeft);
        Assert.Null(ack.DueAt);
        Assert.Null(ack.BreachedAt);
    }

    [Fact]
    public void A_running_clock_shows_when_it_is_due_and_how_long_is_left()
    {
        var policy = Policy(acknowledge: TimeSpan.FromMinutes(30)) with { WarningLeadTimes = [TimeSpan.FromMinutes(10)] };

        var report = ServiceClocks.Evaluate(policy, ConversationTimeline.Of(TimelineFact.Created(T0)), M(12));

        Assert.Equal(ClockState.Running, report.Acknowledge.State);
        Assert.Equal(M(30), report.Acknowledge.DueAt);
        Assert.Equal(TimeSpan.FromMinutes(18), report.Acknowledge.TimeLeft);
        var warning = Assert.Single(report.Acknowledge.Warnings);
        Assert.False(warning.Crossed);
        Assert.Equal(M(20), warning.At);
        Assert.Equal(M(20), report.NextCheckAt);
    }

    [Fact]
    public void The_acknowledge_clock_counts_only_business_hours()
    {
        var policy = Policy(acknowledge: TimeSpan.FromHours(1)) with { Calendar = LondonNineToFive };
        var friday = new DateTimeOffset(2024, 6, 7, 16, 30, 0, Bst);
        var timeline = ConversationTimeline.Of(TimelineFact.Created(friday));

        var mondayMorning = ServiceClocks.Evaluate(policy, timeline, new DateTimeOffset(2024, 6, 10, 9, 10, 0, Bst)).Acknowledge;
        var mondayLater = ServiceClocks.Evaluate(policy, timeline, new DateTimeOffset(2024, 6, 10, 9, 45, 0, Bst)).Acknowledge;

        Assert.Equal(ClockState.Running, mondayMorning.State);
        Assert.Equal(TimeSpan.FromMinutes(40), mondayMorning.Elapsed);
        Assert.Equal(TimeSpan.FromMinutes(20), mondayMorning.TimeLeft);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 9, 30, 0, Bst), mondayMorning.DueAt);
        Assert.Equal(ClockState.Breached, mondayLater.State);
        Assert.Equal(new DateTimeOffset(2024, 6, 10, 9, 30, 0, Bst), mondayLater.BreachedAt);
    }

    [Fact]
    public void A_target_that_runs_out_at_closing_time_breaches_only_when_the_team_is_back()
    {
        var policy = Policy(acknowledge: TimeSpan.FromHours(4)) with { Calendar = LondonNineToFive };
        var monday = new DateTimeOffset(2024, 6, 10, 13, 0, 0, Bst);
        var created = ConversationTimeline.Of(TimelineFact.Created(monday));

        var evening = ServiceClocks.Evaluate(policy, created, monday.AddHours(7)).Acknowledge;
        var answeredAfterHours = ServiceClocks.Evaluate(policy, ConversationTimeline.Of(TimelineFact.Created(monday), TimelineFact.AgentReplied(monday.AddHours(5))), monday.AddHours(7));
        var nextMorning = ServiceClocks.Evaluate(policy, created, monday.AddHours(20.5)).Acknowledge;

        Assert.Equal(ClockState.Running, evening.State);
        Assert.Equal(TimeSpan.Zero, evening.TimeLeft);
        Assert.Equal(monday.AddHours(4), evening.DueAt);
        Assert.Equal(new DateTimeOffset(2024, 6, 11, 9, 0, 0, Bst), ServiceClocks.Evaluate(policy, created, monday.AddHours(7)).NextCheckAt);
        Assert.Equal(ClockState.Met, answeredAfterHours.Acknowledge.State);
        Assert.Equal(ClockState.Breached, nextMorning.State);
        Assert.Equal(new DateTimeOffset(2024, 6, 11, 9, 0, 0, Bst), nextMorning.BreachedAt);
        Assert.Equal(TimeSpan.FromMinutes(-30), nextMorning.TimeLeft);
    }

    [Fact]
    public void Waiting_on_the_customer_pauses_the_resolve_clock()
    {
        var policy = Policy(resolve: TimeSpan.FromHours(8));
        var timeline = ConversationTimeline.Of(
            TimelineFact.Created(T0),
            TimelineFact.AgentReplied(M(60)),
            TimelineFact.WaitingOnCustomer(M(60)),
            TimelineFact.CustomerWrote(M(300)));

        var whileWaiting = ServiceClocks.Evaluate(policy, timeline, M(180)).Resolve;
        var afterAnswer = ServiceClocks.Evaluate(policy, timeline, M(360)).Resolve;
        var notPausing = ServiceClocks.Evaluate(policy with { PausesWhileWaitingOnCustomer = false }, timeline, M(360)).Resolve;

        Assert.Equal(ClockState.Paused, whileWaiting.State);
        Assert.Equal(TimeSpan.FromHours(1), whileWaiting.Elapsed);
        Assert.Equal(TimeSpan.FromHours(7), whileWaiting.TimeLeft);
        Assert.Null(whileWaiting.DueAt);
        Assert.Equal(ClockState.Running, afterAnswer.State);
        Assert.Equal(TimeSpan.FromHours(2), afterAnswer.Elapsed);
        Assert.Equal(M(720), afterAnswer.DueAt);
        Assert.Equal(TimeSpan.FromHours(6), notPausing.Elapsed);
    }

    [Fact]
    public void The_acknowledge_clock_never_pauses()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.Created(T0), TimelineFact.WaitingOnCustomer(M(5)));

        var report = ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromMinutes(30), resolve: TimeSpan.FromHours(8)), timeline, M(40));

        Assert.Equal(ClockState.Breached, report.Acknowledge.State);
        Assert.Equal(ClockState.Paused, report.Resolve.State);
        Assert.Equal(TimeSpan.FromMinutes(5), report.Resolve.Elapsed);
    }

    [Fact]
    public void A_snooze_pauses_clocks_only_when_the_policy_says_so()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.Created(T0), TimelineFact.AgentReplied(M(5)),
            TimelineFact.Snoozed(M(10)), TimelineFact.Woke(M(70)));
        var policy = Policy(resolve: TimeSpan.FromHours(8));

        Assert.Equal(TimeSpan.FromMinutes(100), ServiceClocks.Evaluate(policy, timeline, M(100)).Resolve.Elapsed);
        Assert.Equal(TimeSpan.FromMinutes(40), ServiceClocks.Evaluate(policy with { PausesWhileSnoozed = true }, timeline, M(100)).Resolve.Elapsed);
    }

    [Fact]
    public void The_next_response_clock_restarts_with_each_customer_message_that_follows_a_reply()
    {
        var policy = Policy(nextResponse: TimeSpan.FromMinutes(45));
        var timeline = ConversationTimeline.Of(
            TimelineFact.CustomerWrote(T0),
            TimelineFact.AgentReplied(M(10)),
            TimelineFact.CustomerWrote(M(60)),
            TimelineFact.CustomerWrote(M(65)), // still waiting for our answer: no new clock
            TimelineFact.AgentReplied(M(90)),
            TimelineFact.CustomerWrote(M(120)));

        var report = ServiceClocks.Evaluate(policy, timeline, M(180));

        var clocks = report.AllClocks.Where(c => c.Clock == ClockKind.NextResponse).ToList();
        Assert.Equal(["1.1", "1.2"], clocks.Select(c => c.Cycle));
        Assert.Equal(M(60), clocks[0].StartedAt);
        Assert.Equal(ClockState.Met, clocks[0].State);
        Assert.Equal(TimeSpan.FromMinutes(30), clocks[0].Elapsed);
        Assert.Equal(ClockState.Breached, clocks[1].State);
        Assert.Equal(M(165), clocks[1].BreachedAt);
        Assert.Same(clocks[1], report.NextResponse);
    }

    [Fact]
    public void Before_the_first_reply_only_the_acknowledge_clock_waits_for_us()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.CustomerWrote(T0), TimelineFact.CustomerWrote(M(5)));

        var report = ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromHours(1), nextResponse: TimeSpan.FromMinutes(45)), timeline, M(20));

        Assert.Equal(ClockState.Running, report.Acknowledge.State);
        Assert.Equal(ClockState.NotApplicable, report.NextResponse.State);
        Assert.DoesNotContain(report.AllClocks, c => c.Clock == ClockKind.NextResponse);
    }

    [Fact]
    public void The_next_response_clock_pauses_while_waiting_on_the_customer()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.CustomerWrote(T0), TimelineFact.AgentReplied(M(5)),
            TimelineFact.CustomerWrote(M(10)), TimelineFact.WaitingOnCustomer(M(20)), TimelineFact.NoLongerWaitingOnCustomer(M(80)));

        var next = ServiceClocks.Evaluate(Policy(nextResponse: TimeSpan.FromMinutes(45)), timeline, M(100)).NextResponse;

        Assert.Equal(ClockState.Running, next.State);
        Assert.Equal(TimeSpan.FromMinutes(30), next.Elapsed);
        Assert.Equal(M(115), next.DueAt);
    }

    [Fact]
    public void Resolving_stops_every_clock_and_reopening_starts_a_new_cycle()
    {
        var policy = Policy(acknowledge: TimeSpan.FromMinutes(30), nextResponse: TimeSpan.FromHours(1), resolve: TimeSpan.FromHours(4));
        var timeline = ConversationTimeline.Of(
            TimelineFact.Created(T0), TimelineFact.AgentReplied(M(10)), TimelineFact.CustomerWrote(M(20)),
            TimelineFact.Resolved(M(50)),
            TimelineFact.Reopened(M(600)), TimelineFact.CustomerWrote(M(600)));

        var resolved = ServiceClocks.Evaluate(policy, timeline, M(100));
        var reopened = ServiceClocks.Evaluate(policy, timeline, M(700));

        Assert.All(resolved.AllClocks, c => Assert.Equal(ClockState.Met, c.State));
        Assert.Equal(M(50), resolved.Resolve.StoppedAt);
        Assert.Equal(M(50), resolved.NextResponse.StoppedAt);
        Assert.Null(resolved.NextCheckAt);
        Assert.Equal("2", reopened.Acknowledge.Cycle);
        Assert.Equal(M(600), reopened.Acknowledge.StartedAt);
        Assert.Equal(ClockState.Breached, reopened.Acknowledge.State);
        Assert.Equal(ClockState.Running, reopened.Resolve.State);
        Assert.Equal(ClockState.NotApplicable, reopened.NextResponse.State);
        Assert.Equal(["1", "1", "1.1", "2", "2"], reopened.AllClocks.Select(c => c.Cycle));
    }

    [Fact]
    public void Facts_are_read_in_time_order_and_future_facts_are_ignored()
    {
        var timeline = ConversationTimeline.Of(TimelineFact.AgentReplied(M(20)), TimelineFact.Created(T0));

        Assert.Equal(ClockState.Met, ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromMinutes(30)), timeline, M(25)).Acknowledge.State);
        Assert.Equal(ClockState.Running, ServiceClocks.Evaluate(Policy(acknowledge: TimeSpan.FromMinutes(30)), timeline, M(15)).Acknowledge.State);
    }

    [Fact]
    public void A_policy_that_cannot_work_is_refused_with_reasons()
    {
        var policy = new ServiceLevelPolicy
        {
            Name = " ",
            TimeToAcknowledge = TimeSpan.Zero,
            WarningLeadTimes = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)],
        };

        Assert.Equal(3, policy.Problems().Count);
        Assert.Empty(Policy(acknowledge: TimeSpan.FromMinutes(30)).Problems());
    }
}
