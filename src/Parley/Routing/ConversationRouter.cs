using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Routing;

/// <summary>Puts each new conversation in a queue: the first of its brand's routing rules that matches
/// decides the team; when none matches it stays in the brand's front line (no team). A conversation a
/// person already placed by hand is left where it is. Brands without rules cost nothing: their
/// conversations are not looked at.</summary>
/// <remarks>Each conversation is decided outside any transaction, then written with a conditional update of
/// that one row (and its event) in a short transaction of its own. Holding one row lock at a time, the router
/// cannot deadlock with ingest, whose transaction updates many conversations on PostgreSQL. On SQLite each write takes its
/// turn at the <see cref="WriteGate"/>, so webhook acknowledgements wait at most for one of them (docs/adr/0042).</remarks>
public sealed class ConversationRouter(WriteGate gate, TimeProvider clock)
{
    public const int BatchSize = 200;

    /// <returns>How many conversations were looked at.</returns>
    public async Task<int> RouteWaitingAsync(ParleyDb db, CancellationToken ct)
    {
        var brandsWithRules = await db.RoutingRules.AsNoTracking().Where(r => r.Enabled).Select(r => r.BrandId).Distinct().ToArrayAsync(ct);
        if (brandsWithRules.Length == 0) return 0;
        var now = clock.GetUtcNow();
        var batch = await db.Conversations.AsNoTracking()
            .Where(c => c.RoutedAt == null && c.Status == ConversationStatus.Open && brandsWithRules.Contains(c.BrandId))
            .OrderBy(c => c.CreatedAt).Take(BatchSize).ToListAsync(ct);
        if (batch.Count == 0) return 0;

        var brands = batch.Select(c => c.BrandId).Distinct().ToArray();
        var rules = (await db.RoutingRules.AsNoTracking().Where(r => brands.Contains(r.BrandId) && r.Enabled)
                .OrderBy(r => r.Order).ThenBy(r => r.CreatedAt).ToListAsync(ct))
            .GroupBy(r => r.BrandId).ToDictionary(g => g.Key, g => g.Select(r => r.ToRule()).ToList());
        var channelIds = batch.Select(c => c.ChannelId).Distinct().ToArray();
        var kinds = await db.Channels.AsNoTracking().Where(ch => channelIds.Contains(ch.Id)).ToDictionaryAsync(ch => ch.Id, ch => ch.Kind, ct);

        foreach (var c in batch)
        {
            (Guid TeamId, RoutingRule Rule, RoutingFacts Facts)? decision = null;
            if (c.TeamId is null && c.AssigneeId is null && rules.TryGetValue(c.BrandId, out var brandRules))
            {
                var facts = await RoutingFactsReader.ReadAsync(db, c, kinds.GetValueOrDefault(c.ChannelId, ""), now, ct);
                if (RouteToQueue.For(facts, brandRules) is { } match) decision = (match.TeamId, match.Rule, facts);
            }
            using var turn = await gate.EnterAsync(ct);
            if (decision is { } d) await PlaceAsync(db, c, d.TeamId, d.Rule, d.Facts, now, ct);
            else await db.Conversations.Where(x => x.Id == c.Id && x.RoutedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.RoutedAt, now), ct);
        }
        return batch.Count;
    }

    private static async Task PlaceAsync(ParleyDb db, Conversation c, Guid teamId, RoutingRule rule, RoutingFacts facts, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Conditional: if another node routed it, or a person placed it, since we read it, this changes nothing.
        var placed = await db.Conversations
            .Where(x => x.Id == c.Id && x.RoutedAt == null && x.TeamId == null && x.AssigneeId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RoutedAt, now).SetProperty(x => x.TeamId, teamId)
                .SetProperty(x => x.NextTimerCheckAt, (DateTimeOffset?)null), ct);
        if (placed == 0)
        {
            await tx.RollbackAsync(ct);
            await db.Conversations.Where(x => x.Id == c.Id && x.RoutedAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.RoutedAt, now), ct);
            return;
        }
        db.Append("conversation.routed", $"conversations/{c.Id}", c.BrandId, new ConversationRoutedData(c.Id, teamId, rule.Id, rule.Name, facts.Language, facts.Priority,
            "router", EventActor.Automated("router", rule.Id)), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
