using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Routing;

/// <summary>Hands a queue's waiting conversations to people a batch at a time, with the guarantees of
/// <see cref="Assigner"/> (nobody over capacity, nothing given twice, also with several nodes) at a cost per
/// batch rather than per conversation. One short transaction per batch:
/// <list type="number">
/// <item>locks the candidates' <see cref="AgentProfile"/> rows in id order (PostgreSQL, <c>FOR UPDATE</c>; on SQLite
/// the transaction already holds the single write lock), so every other assignment to them waits;</item>
/// <item>counts their active conversations and reads their capacities under those locks, in two queries;</item>
/// <item>decides the whole batch in memory with <see cref="ChooseAssignee"/>, counting each decision against the
/// chosen person's room;</item>
/// <item>locks the chosen conversations that nobody else holds (PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>: it never
/// waits, so it cannot deadlock with ingest), then sets their owners with one conditional UPDATE each (only if
/// still open and unowned), all in one command, and keeps only those that changed a row (RETURNING);</item>
/// <item>writes their <c>conversation.assigned</c> events, notifications and queue statistics, and commits.</item>
/// </list>
/// A conversation someone took meanwhile is simply not assigned: its decision's room stays unused.</summary>
public sealed class BatchAssignment(TimeProvider clock)
{
    public sealed record Waiting(Guid Id, Guid ContactId, Guid BrandId, string Preview);

    /// <returns>How many were assigned, and whether anyone still has room (false: the queue is done for this pass).</returns>
    public async Task<(int Assigned, bool RoomLeft)> AssignAsync(ParleyDb db, QueueSettings queue, CandidatePool pool,
        IReadOnlyList<Waiting> waiting, IReadOnlyDictionary<Guid, Guid> lastHelped, CancellationToken ct)
    {
        var ids = pool.Candidates.Where(c => c.Presence == AgentPresence.Online).Select(c => c.UserId).Order().ToArray();
        if (ids.Length == 0 || waiting.Count == 0) return (0, false);
        var rules = new AssignmentRules(queue.Fairness, queue.Sticky);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // 1-2. The locks, then the room under them.
        if (db.IsPostgres)
            await db.Database.ExecuteSqlRawAsync("SELECT 1 FROM \"AgentProfiles\" WHERE \"UserId\" = ANY({0}) ORDER BY \"UserId\" FOR UPDATE", [ids], ct);
        // Read after the locks: a batch that waited for another is stamped after it, so turns stay in order.
        var now = clock.GetUtcNow();
        var capacity = await db.AgentProfiles.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, p => p.Capacity, ct);
        pool.Recount(await CandidatePool.OpenLoadAsync(db, ids, ct), capacity);

        // 3. Decisions.
        var decisions = new List<(Waiting Conversation, Guid UserId, string Reason, DateTimeOffset At)>();
        var roomLeft = true;
        foreach (var w in waiting)
        {
            var decision = ChooseAssignee.For(new AssignmentRequest(queue.Skills, lastHelped.TryGetValue(w.Id, out var last) ? last : null),
                pool.Candidates, rules);
            if (decision.UserId is not { } userId)
            {
                roomLeft = false;
                break;
            }
            // Each decision 100 µs after the last (the finest step both databases keep), so round robin sees
            // them in turn, within this batch and the next.
            var at = now.AddTicks(TimeSpan.TicksPerMillisecond / 10 * decisions.Count);
            pool.Took(userId, at);
            decisions.Add((w, userId, decision.Reason, at));
        }
        if (decisions.Count == 0) return (0, roomLeft);

        // 4. The conditional updates, in one round trip, of the conversations nobody else is changing right now
        // (never waiting for a row lock, so never deadlocking with ingest; the others are seen next pass).
        var free = await ConversationLocks.LockAvailableAsync(db, decisions.Select(d => d.Conversation.Id).ToArray(), ct);
        List<Guid> changed = [];
        if (free.Count > 0)
        {
            await using var b = new BatchCommand<Conversation>(db);
            foreach (var (w, userId, _, at) in decisions)
            {
                if (!free.Contains(w.Id)) continue;
                // The decision's own instant, so the conversations' order of assignment is the order of the turns.
                var assignedAt = b.Value(nameof(Conversation.AssignedAt), at);
                b.Append($"UPDATE {b.Table} SET {b.Column(nameof(Conversation.AssigneeId))} = {b.Value(nameof(Conversation.AssigneeId), userId)}, ")
                    .Append($"{b.Column(nameof(Conversation.AssignedAt))} = {assignedAt}, ")
                    .Append($"{b.Column(nameof(Conversation.RoutedAt))} = COALESCE({b.Column(nameof(Conversation.RoutedAt))}, {b.Value(nameof(Conversation.RoutedAt), now)}), ")
                    .Append($"{b.Column(nameof(Conversation.NextTimerCheckAt))} = NULL")
                    .Append($" WHERE {b.Column(nameof(Conversation.Id))} = {b.Value(nameof(Conversation.Id), w.Id)}")
                    .Append($" AND {b.Column(nameof(Conversation.AssigneeId))} IS NULL")
                    .Append($" AND {b.Column(nameof(Conversation.Status))} = {b.Value(nameof(Conversation.Status), ConversationStatus.Open)}")
                    .Append($" RETURNING {b.Column(nameof(Conversation.Id))};");
            }
            // SQLite stores GUIDs as text, PostgreSQL as uuid.
            changed = await b.ReturningAsync(r => r.GetValue(0) is Guid g ? g : Guid.Parse((string)r.GetValue(0)), ct);
        }
        var assigned = changed.ToHashSet();

        // 5. The record of it, in the same transaction.
        var users = decisions.Where(d => assigned.Contains(d.Conversation.Id)).Select(d => d.UserId).Distinct().ToArray();
        var stats = await db.QueueAssignees.Where(q => q.TeamId == queue.TeamId && users.Contains(q.UserId)).ToDictionaryAsync(q => q.UserId, ct);
        var profiles = await db.AgentProfiles.Where(p => users.Contains(p.UserId)).ToListAsync(ct);
        foreach (var p in profiles) p.LastAssignedAt = now;
        foreach (var (w, userId, reason, at) in decisions)
        {
            if (!assigned.Contains(w.Id)) continue;
            AssignmentLog.Append(db, w.Id, w.BrandId, queue.TeamId, userId, null, EventActor.Automated("router"), reason, now);
            if (!stats.TryGetValue(userId, out var stat)) db.QueueAssignees.Add(stats[userId] = stat = new QueueAssignee { TeamId = queue.TeamId, UserId = userId });
            stat.LastAssignedAt = at;
            stat.Assigned++;
            db.Notifications.Add(new Notification
            {
                UserId = userId, Kind = "assignment", ConversationId = w.Id, CreatedAt = now,
                Text = $"router assigned you a conversation: {w.Preview}",
            });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return (assigned.Count, roomLeft);
    }

    /// <summary>Who owned each customer's most recent other conversation, for a batch, in one query.</summary>
    public static async Task<Dictionary<Guid, Guid>> LastHelpedByAsync(ParleyDb db, IReadOnlyList<Waiting> waiting, CancellationToken ct)
    {
        var contacts = waiting.Select(w => w.ContactId).Distinct().ToArray();
        var previous = await db.Conversations.AsNoTracking().Where(c => contacts.Contains(c.ContactId) && c.AssigneeId != null)
            .Select(c => new { c.Id, c.ContactId, c.AssigneeId, c.LastMessageAt }).ToListAsync(ct);
        var result = new Dictionary<Guid, Guid>();
        foreach (var w in waiting)
        {
            var last = previous.Where(p => p.ContactId == w.ContactId && p.Id != w.Id).MaxBy(p => p.LastMessageAt);
            if (last?.AssigneeId is { } helper) result[w.Id] = helper;
        }
        return result;
    }
}
