using Parley.Conversations;
using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class TimerRuleEvaluationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<(Guid, string)> NoneFired = [];

    private static TimerRule Rule(TimerCondition condition, TimeSpan after, TimerAction action = TimerAction.Close) =>
        new() { Name = condition.ToString(), Condition = condition, After = after, Action = action, Enabled = true };

    private static TimerFacts Facts(ConversationState state = ConversationState.New, DateTimeOffset? acknowledged = null,
        DateTimeOffset? awaiting = null, DateTimeOffset? lastCustomer = null, DateTimeOffset? answered = null, DateTimeOffset? received = null) =>
        new(ConversationStatus.Open, state, received ?? T0, acknowledged, awaiting, lastCustomer, answered, null, "x");

    [Fact]
    public void A_rule_is_due_once_its_time_has_come_and_scheduled_before()
    {
        var rule = Rule(TimerCondition.NotAcknowledged, TimeSpan.FromMinutes(30));

        var before = TimerRuleEvaluation.Evaluate(Facts(awaiting: T0), [rule], NoneFired, T0.AddMinutes(29));
        var after = TimerRuleEvaluation.Evaluate(Facts(awaiting: T0), [rule], NoneFired, T0.AddMinutes(30));

        Assert.Empty(before.Due);
        Assert.Equal(T0.AddMinutes(30), before.NextCheckAt);
        Assert.Equal(T0.AddMinutes(30), Assert.Single(after.Due).DueAt);
    }

    [Fact]
    public void A_fired_episode_does_not_fire_again_but_a_new_one_does()
    {
        var rule = Rule(TimerCondition.AwaitingReply, TimeSpan.FromHours(1));
        var first = TimerRuleEvaluation.Evaluate(Facts(awaiting: T0), [rule], NoneFired, T0.AddHours(2));
        var fired = new HashSet<(Guid, string)> { (rule.Id, Assert.Single(first.Due).Episode) };

        Assert.Empty(TimerRuleEvaluation.Evaluate(Facts(awaiting: T0), [rule], fired, T0.AddHours(3)).Due);
        // Answered, then the customer wrote again: a new wait, a new episode.
        var again = TimerRuleEvaluation.Evaluate(Facts(ConversationState.Acknowledged, T0.AddHours(2), awaiting: T0.AddHours(4)), [rule], fired, T0.AddHours(5));
        Assert.Single(again.Due);
    }

    [Fact]
    public void Snoozed_and_waiting_on_the_customer_hold_the_rules_that_wait_on_the_brand()
    {
        var unacknowledged = Rule(TimerCondition.NotAcknowledged, TimeSpan.FromMinutes(30));
        var awaiting = Rule(TimerCondition.AwaitingReply, TimeSpan.FromMinutes(30));

        Assert.Empty(TimerRuleEvaluation.Evaluate(Facts(ConversationState.Snoozed, awaiting: T0), [unacknowledged, awaiting], NoneFired, T0.AddDays(1)).Due);
        Assert.Empty(TimerRuleEvaluation.Evaluate(Facts(ConversationState.WaitingOnCustomer, awaiting: T0), [unacknowledged, awaiting], NoneFired, T0.AddDays(1)).Due);
        Assert.Null(TimerRuleEvaluation.Evaluate(Facts(ConversationState.Snoozed, awaiting: T0), [unacknowledged, awaiting], NoneFired, T0).NextCheckAt);
    }

    [Fact]
    public void Customer_silence_counts_from_the_brands_answer_and_holds_while_the_customer_is_owed_a_reply()
    {
        var rule = Rule(TimerCondition.CustomerSilent, TimeSpan.FromDays(3));
        var answered = Facts(ConversationState.Acknowledged, T0.AddHours(1), lastCustomer: T0, answered: T0.AddHours(1));

        Assert.Empty(TimerRuleEvaluation.Evaluate(answered, [rule], NoneFired, T0.AddDays(3)).Due);
        Assert.Single(TimerRuleEvaluation.Evaluate(answered, [rule], NoneFired, T0.AddDays(3).AddHours(1)).Due);
        // The customer wrote after the answer: they are owed a reply, not silent.
        var owed = answered with { AwaitingReplySince = T0.AddDays(1) };
        Assert.Empty(TimerRuleEvaluation.Evaluate(owed, [rule], NoneFired, T0.AddDays(10)).Due);
    }

    [Fact]
    public void A_post_ingested_from_history_waits_from_when_Parley_received_it()
    {
        var rule = Rule(TimerCondition.AwaitingReply, TimeSpan.FromHours(1));
        var historic = Facts(awaiting: T0.AddYears(-2), received: T0);

        Assert.Empty(TimerRuleEvaluation.Evaluate(historic, [rule], NoneFired, T0.AddMinutes(10)).Due);
        Assert.Equal(T0.AddHours(1), TimerRuleEvaluation.Evaluate(historic, [rule], NoneFired, T0.AddMinutes(10)).NextCheckAt);
    }

    [Fact]
    public void Rules_for_another_team_channel_or_switched_off_do_not_apply()
    {
        var otherTeam = Rule(TimerCondition.NotAcknowledged, TimeSpan.FromMinutes(1));
        otherTeam.TeamId = Guid.NewGuid();
        var otherChannel = Rule(TimerCondition.NotAcknowledged, TimeSpan.FromMinutes(1));
        otherChannel.ChannelKind = "meta";
        var off = Rule(TimerCondition.NotAcknowledged, TimeSpan.FromMinutes(1));
        off.Enabled = false;

        Assert.Empty(TimerRuleEvaluation.Evaluate(Facts(), [otherTeam, otherChannel, off], NoneFired, T0.AddDays(1)).Due);
    }
}
