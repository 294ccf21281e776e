using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Promises;

/// <summary>Evaluates the clocks of a batch of conversations with a fixed handful of queries (channels,
/// messages, state changes, keys already fired), whatever the batch size: the sweep's cost grows with the
/// conversations that are due, never with a query per conversation.</summary>
public static class ClockBatch
{
    /// <param name="Evaluation">null when no policy applies.</param>
    /// <param name="Due">The warnings and breaches to announce now (those not announced before).</param>
    public sealed record Item(Conversation Conversation, ConversationClocks.Evaluation? Evaluation, IReadOnlyList<ClockEvent> Due);

    public static async Task<List<Item>> EvaluateAsync(ParleyDb db, IReadOnlyList<Conversation> conversations, ClockPolicies policies,
        DateTimeOffset now, CancellationToken ct)
    {
        var covered = conversations.Where(c => policies.Covers(c.BrandId)).ToList();
        var ids = covered.Select(c => c.Id).ToArray();
        var channelIds = covered.Select(c => c.ChannelId).Distinct().ToArray();
        var kinds = ids.Length == 0 ? [] : await db.Channels.AsNoTracking().Where(ch => channelIds.Contains(ch.Id))
            .ToDictionaryAsync(ch => ch.Id, ch => ch.Kind, ct);
        var messages = ids.Length == 0 ? [] : (await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ConversationId))
                .Select(m => new { m.ConversationId, m.Direction, m.Visibility, m.CreatedAt }).ToListAsync(ct))
            .GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => g.ToList());
        var subjects = ids.Select(id => $"conversations/{id}").ToArray();
        var changes = ids.Length == 0 ? [] : (await db.Events.AsNoTracking().Where(ConversationClocks.IsClockChange)
                .Where(e => subjects.Contains(e.Subject)).Select(e => new { e.Subject, e.Type, e.OccurredAt }).ToListAsync(ct))
            .GroupBy(e => e.Subject).ToDictionary(g => g.Key, g => g.ToList());
        var fired = ids.Length == 0 ? [] : (await db.FiredClockEvents.AsNoTracking().Where(f => ids.Contains(f.ConversationId))
                .Select(f => new { f.ConversationId, f.Key }).ToListAsync(ct))
            .GroupBy(f => f.ConversationId).ToDictionary(g => g.Key, g => g.Select(f => f.Key).ToHashSet(StringComparer.Ordinal));

        var items = new List<Item>(conversations.Count);
        foreach (var c in conversations)
        {
            if (!policies.Covers(c.BrandId))
            {
                items.Add(new(c, null, []));
                continue;
            }
            var own = messages.GetValueOrDefault(c.Id) ?? [];
            var first = own.Where(m => m.Direction == MessageDirection.Inbound).OrderBy(m => m.CreatedAt).FirstOrDefault();
            var visibility = first is null ? null : MessageDto.Lower(first.Visibility);
            if (policies.For(c.BrandId, kinds.GetValueOrDefault(c.ChannelId, ""), visibility) is not { } policy)
            {
                items.Add(new(c, null, []));
                continue;
            }
            var timeline = ConversationClocks.BuildTimeline(c, own.Select(m => (m.Direction, m.CreatedAt)),
                (changes.GetValueOrDefault($"conversations/{c.Id}") ?? []).Select(e => (e.Type, e.OccurredAt)));
            var report = ServiceClocks.Evaluate(policy.Policy, timeline, now);
            var due = ServiceClocks.DueEvents(report, (IEnumerable<string>?)fired.GetValueOrDefault(c.Id) ?? []);
            items.Add(new(c, new ConversationClocks.Evaluation(policy.Record, report), due));
        }
        return items;
    }
}
