using System.Globalization;
using Parley.Conversations;

namespace Parley.Promises;

/// <summary>What the timer rules read about a conversation.</summary>
/// <param name="ReceivedAt">When Parley received the conversation.</param>
/// <param name="LastCustomerMessageAt">The customer's latest message, by the network's clock.</param>
/// <param name="AnsweredAt">The brand's first message after the customer's latest one: when the ball went to the customer.</param>
public sealed record TimerFacts(ConversationStatus Status, ConversationState State, DateTimeOffset ReceivedAt, DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? AwaitingReplySince, DateTimeOffset? LastCustomerMessageAt, DateTimeOffset? AnsweredAt, Guid? TeamId, string ChannelKind);

/// <summary>A rule due to fire for a conversation, with the episode that makes the firing unique.</summary>
public sealed record DueTimer(TimerRule Rule, string Episode, DateTimeOffset DueAt);

/// <param name="NextCheckAt">When the next not-yet-due rule comes due if nothing changes; null when none is pending.</param>
public sealed record TimerEvaluation(IReadOnlyList<DueTimer> Due, DateTimeOffset? NextCheckAt);

/// <summary>Which timer rules are due for a conversation now: pure, so the sweep and the tests agree.</summary>
public static class TimerRuleEvaluation
{
    public static TimerEvaluation Evaluate(TimerFacts facts, IEnumerable<TimerRule> rules, ISet<(Guid RuleId, string Episode)> fired, DateTimeOffset now)
    {
        var due = new List<DueTimer>();
        DateTimeOffset? next = null;
        if (facts.Status != ConversationStatus.Open) return new TimerEvaluation(due, null);
        foreach (var rule in rules)
        {
            if (!rule.Enabled) continue;
            if (rule.TeamId is { } team && team != facts.TeamId) continue;
            if (rule.ChannelKind is { } kind && kind != facts.ChannelKind) continue;
            if (Start(rule.Condition, facts) is not { } start) continue;
            if (fired.Contains((rule.Id, start.Episode))) continue;
            var dueAt = start.Since + rule.After;
            if (dueAt <= now) due.Add(new DueTimer(rule, start.Episode, dueAt));
            else if (next is null || dueAt < next) next = dueAt;
        }
        return new TimerEvaluation([.. due.OrderBy(d => d.DueAt)], next);
    }

    /// <summary>When the condition began to hold, and what identifies this stretch of it; null when it does not hold.</summary>
    public static (DateTimeOffset Since, string Episode)? Start(TimerCondition condition, TimerFacts f)
    {
        if (f.State == ConversationState.Snoozed) return null;
        switch (condition)
        {
            case TimerCondition.NotAcknowledged:
                return f.AcknowledgedAt is null && f.State != ConversationState.WaitingOnCustomer ? (f.ReceivedAt, "unacknowledged") : null;
            case TimerCondition.AwaitingReply:
                if (f.AwaitingReplySince is not { } since || f.State == ConversationState.WaitingOnCustomer) return null;
                return (since > f.ReceivedAt ? since : f.ReceivedAt, "awaiting:" + Ticks(since));
            case TimerCondition.CustomerSilent:
                if (f.AwaitingReplySince is not null || f.AnsweredAt is not { } answered) return null;
                return (answered, "silent:" + (f.LastCustomerMessageAt is { } last ? Ticks(last) : "never"));
            default:
                return null;
        }
    }

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString(CultureInfo.InvariantCulture);
}
