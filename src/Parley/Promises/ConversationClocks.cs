using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <summary>Reads what the clocks need from the database: the policy that applies to a conversation
/// and its timeline, built from its messages and the state changes in the event log.</summary>
public static class ConversationClocks
{
    private static readonly Dictionary<string, FactKind> StateFacts = new()
    {
        ["conversation.waiting_on_customer"] = FactKind.WaitingOnCustomerStarted,
        ["conversation.customer_replied"] = FactKind.WaitingOnCustomerEnded,
        ["conversation.snoozed"] = FactKind.SnoozeStarted,
        ["conversation.woke"] = FactKind.SnoozeEnded,
        ["conversation.resolved"] = FactKind.Resolved,
        ["conversation.reopened"] = FactKind.Reopened,
    };

    public sealed record Evaluation(ServiceLevelPolicyRecord Policy, ClockReport Report);

    /// <summary>The state changes the clocks read, as constants in the order of the partial index
    /// <c>IX_Events_ClockChanges</c> (see <see cref="PromisesModel.ClockChangeFilter"/>), so that both databases use it.</summary>
    public static readonly Expression<Func<Event, bool>> IsClockChange = e =>
        e.Type == "conversation.waiting_on_customer" || e.Type == "conversation.customer_replied" || e.Type == "conversation.snoozed"
        || e.Type == "conversation.woke" || e.Type == "conversation.resolved" || e.Type == "conversation.reopened";

    /// <returns>null when no policy of the brand applies.</returns>
    public static async Task<Evaluation?> EvaluateAsync(ParleyDb db, Conversation conversation, DateTimeOffset now, CancellationToken ct)
    {
        var policy = await FindPolicyAsync(db, conversation, ct);
        if (policy is null) return null;
        var timeline = await LoadTimelineAsync(db, conversation, ct);
        return new Evaluation(policy, ServiceClocks.Evaluate(policy.ToPolicy(), timeline, now));
    }

    public static async Task<ServiceLevelPolicyRecord?> FindPolicyAsync(ParleyDb db, Conversation conversation, CancellationToken ct)
    {
        var policies = await db.ServiceLevelPolicies.AsNoTracking().Where(p => p.BrandId == conversation.BrandId)
            .OrderBy(p => p.Order).ThenBy(p => p.CreatedAt).ToListAsync(ct);
        if (policies.Count == 0) return null;
        var kind = await db.Channels.Where(c => c.Id == conversation.ChannelId).Select(c => c.Kind).FirstAsync(ct);
        var first = await db.Messages.Where(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound)
            .OrderBy(m => m.CreatedAt).Select(m => (MessageVisibility?)m.Visibility).FirstOrDefaultAsync(ct);
        var visibility = first is { } v ? MessageDto.Lower(v) : null;
        return policies.FirstOrDefault(p => p.AppliesTo(kind, visibility));
    }

    public static async Task<ConversationTimeline> LoadTimelineAsync(ParleyDb db, Conversation conversation, CancellationToken ct)
    {
        var messages = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversation.Id)
            .Select(m => new { m.Direction, m.CreatedAt }).ToListAsync(ct);
        var subject = $"conversations/{conversation.Id}";
        var changes = await db.Events.AsNoTracking().Where(IsClockChange).Where(e => e.Subject == subject)
            .Select(e => new { e.Type, e.OccurredAt }).ToListAsync(ct);
        return BuildTimeline(conversation, messages.Select(m => (m.Direction, m.CreatedAt)), changes.Select(c => (c.Type, c.OccurredAt)));
    }

    /// <summary>The event types that change a conversation's clocks.</summary>
    public static IReadOnlyCollection<string> StateEventTypes => StateFacts.Keys;

    public static ConversationTimeline BuildTimeline(Conversation conversation, IEnumerable<(MessageDirection Direction, DateTimeOffset At)> messages,
        IEnumerable<(string Type, DateTimeOffset At)> changes)
    {
        var list = messages.ToList();
        // The clocks start with the customer's first message (by the network's clock), so a post
        // ingested from history is as late as it really is.
        var start = list.Where(m => m.Direction == MessageDirection.Inbound).Select(m => m.At)
            .DefaultIfEmpty(conversation.CreatedAt).Min();
        var facts = new List<TimelineFact> { TimelineFact.Created(start < conversation.CreatedAt ? start : conversation.CreatedAt) };
        facts.AddRange(list.Select(m => m.Direction == MessageDirection.Inbound
            ? TimelineFact.CustomerWrote(m.At) : TimelineFact.AgentReplied(m.At)));
        if (conversation.AcknowledgedAt is { } acknowledged) facts.Add(TimelineFact.Acknowledged(acknowledged));
        facts.AddRange(changes.Select(c => new TimelineFact(StateFacts[c.Type], c.At)));
        return new ConversationTimeline(facts.OrderBy(f => f.At).ToList());
    }
}
