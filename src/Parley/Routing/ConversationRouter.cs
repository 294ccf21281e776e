using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Routing;

/// <summary>Puts each new conversation in a queue: the first of its brand's routing rules that matches
/// decides the team; when none matches it stays in the brand's front line (no team). A conversation a
/// person already placed by hand, or one already resolved, is left where it is.</summary>
public sealed class ConversationRouter(TimeProvider clock)
{
    public const int BatchSize = 200;

    /// <returns>How many conversations were looked at.</returns>
    public async Task<int> RouteWaitingAsync(ParleyDb db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = await db.Conversations.AsNoTracking().Where(c => c.RoutedAt == null)
            .OrderBy(c => c.CreatedAt).Take(BatchSize).ToListAsync(ct);
        if (batch.Count == 0) return 0;

        var brands = batch.Select(c => c.BrandId).Distinct().ToArray();
        var rules = (await db.RoutingRules.AsNoTracking().Where(r => brands.Contains(r.BrandId) && r.Enabled)
                .OrderBy(r => r.Order).ThenBy(r => r.CreatedAt).ToListAsync(ct))
            .GroupBy(r => r.BrandId).ToDictionary(g => g.Key, g => g.Select(r => r.ToRule()).ToList());
        var channelIds = batch.Select(c => c.ChannelId).Distinct().ToArray();
        var kinds = await db.Channels.AsNoTracking().Where(ch => channelIds.Contains(ch.Id)).ToDictionaryAsync(ch => ch.Id, ch => ch.Kind, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var decided = new List<Guid>();
        foreach (var c in batch)
        {
            if (c.Status != ConversationStatus.Open || c.TeamId is not null || c.AssigneeId is not null
                || !rules.TryGetValue(c.BrandId, out var brandRules))
            {
                decided.Add(c.Id);
                continue;
            }
            var facts = await RoutingFactsReader.ReadAsync(db, c, kinds.GetValueOrDefault(c.ChannelId, ""), now, ct);
            if (RouteToQueue.For(facts, brandRules) is not { } match)
            {
                decided.Add(c.Id);
                continue;
            }
            // Conditional: if another node routed it, or a person placed it, since we read it, this changes nothing.
            var placed = await db.Conversations
                .Where(x => x.Id == c.Id && x.RoutedAt == null && x.TeamId == null && x.AssigneeId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RoutedAt, now).SetProperty(x => x.TeamId, match.TeamId)
                    .SetProperty(x => x.NextTimerCheckAt, (DateTimeOffset?)null), ct);
            if (placed == 1)
            {
                db.Append("conversation.routed", $"conversations/{c.Id}", c.BrandId, new
                {
                    conversationId = c.Id,
                    teamId = match.TeamId,
                    ruleId = match.Rule.Id,
                    rule = match.Rule.Name,
                    facts.Language,
                    facts.Priority,
                    by = "router",
                }, now);
            }
            else decided.Add(c.Id);
        }
        var ids = decided.ToArray();
        if (ids.Length > 0)
            await db.Conversations.Where(x => ids.Contains(x.Id) && x.RoutedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RoutedAt, now), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return batch.Count;
    }
}
