using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Routing;

public enum AssignOutcome
{
    Assigned,
    /// <summary>Someone else got it first (or its owner changed since it was read).</summary>
    Taken,
    /// <summary>The person already holds as many active conversations as their capacity allows.</summary>
    AtCapacity,
    /// <summary>The conversation is resolved or does not exist.</summary>
    Gone,
}

/// <param name="ExpectedOwner">Who must own the conversation now for the change to happen: null for "nobody"
/// (a normal assignment), the current owner for a take-over. Anything else answers <see cref="AssignOutcome.Taken"/>.</param>
/// <param name="CheckCapacity">Automatic assignment respects capacity; a person taking a conversation themselves,
/// or a lead giving it to someone, may go over.</param>
/// <param name="Notify">Tell the new owner (not when they took it themselves).</param>
public sealed record AssignmentChange(Guid ConversationId, Guid AssigneeId, Guid? ExpectedOwner, bool CheckCapacity,
    string By, string Reason, bool Notify)
{
    /// <summary>Who is assigning, for the event log; without one, automation named <see cref="By"/> (the router).</summary>
    public EventActor? Actor { get; init; }
}

/// <summary>Gives conversations to people so that none is given twice and nobody goes over capacity,
/// also with several nodes assigning at once. One assignment is one short transaction that
/// <list type="number">
/// <item>updates the person's <see cref="AgentProfile"/> row first: on PostgreSQL that row lock
/// serialises every assignment to the same person, on SQLite the transaction already holds the
/// single write lock (Microsoft.Data.Sqlite begins transactions IMMEDIATE);</item>
/// <item>counts the person's active conversations under that lock and gives up at capacity;</item>
/// <item>sets the owner with a conditional update (only if the owner is still who the caller expects),
/// so of two transactions racing for one conversation exactly one changes a row;</item>
/// <item>writes <c>conversation.assigned</c> in the same transaction.</item>
/// </list></summary>
public sealed class Assigner(TimeProvider clock)
{
    /// <summary>Active conversations count against capacity; those waiting on the customer or snoozed do not.</summary>
    public static IQueryable<Conversation> Active(IQueryable<Conversation> conversations, Guid userId) =>
        conversations.Where(c => c.AssigneeId == userId && c.Status == ConversationStatus.Open
            && (c.State == ConversationState.New || c.State == ConversationState.Acknowledged));

    public async Task<AssignOutcome> TryAssignAsync(ParleyDb db, AssignmentChange change, CancellationToken ct)
    {
        // Inside a caller's transaction (a timer rule that fires and acts in one unit) the caller has made the
        // profile already and commits; otherwise this is its own transaction.
        var ambient = db.Database.CurrentTransaction is not null;
        if (!ambient) await EnsureProfilesAsync(db, [change.AssigneeId], ct);
        var now = clock.GetUtcNow();
        var userId = change.AssigneeId;
        await using var tx = ambient ? null : await db.Database.BeginTransactionAsync(ct);

        // 1. The lock on the person. Also remembers when they last got one (round robin across queues).
        await db.AgentProfiles.Where(p => p.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastAssignedAt, now), ct);
        // 2. Room, counted under the lock.
        if (change.CheckCapacity)
        {
            var capacity = await db.AgentProfiles.Where(p => p.UserId == userId).Select(p => p.Capacity).FirstAsync(ct);
            if (await Active(db.Conversations, userId).CountAsync(ct) >= capacity) return AssignOutcome.AtCapacity;
        }
        // 3. The conditional update.
        var expected = change.ExpectedOwner;
        var changed = await db.Conversations
            .Where(c => c.Id == change.ConversationId && c.Status == ConversationStatus.Open
                && (expected == null ? c.AssigneeId == null : c.AssigneeId == expected))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AssigneeId, userId).SetProperty(c => c.AssignedAt, now)
                .SetProperty(c => c.RoutedAt, c => c.RoutedAt ?? now)
                .SetProperty(c => c.NextTimerCheckAt, (DateTimeOffset?)null), ct);
        if (changed == 0)
        {
            var exists = await db.Conversations.AnyAsync(c => c.Id == change.ConversationId && c.Status == ConversationStatus.Open, ct);
            return exists ? AssignOutcome.Taken : AssignOutcome.Gone;
        }

        // 4. The record of it, in the same transaction.
        var c = await db.Conversations.AsNoTracking().Where(x => x.Id == change.ConversationId)
            .Select(x => new { x.BrandId, x.TeamId, x.Preview }).FirstAsync(ct);
        AssignmentLog.Append(db, change.ConversationId, c.BrandId, c.TeamId, userId, expected, change.Actor ?? EventActor.Automated(change.By), change.Reason, now);
        if (c.TeamId is { } teamId)
        {
            var stat = await db.QueueAssignees.FirstOrDefaultAsync(q => q.TeamId == teamId && q.UserId == userId, ct);
            if (stat is null) db.QueueAssignees.Add(stat = new QueueAssignee { TeamId = teamId, UserId = userId });
            stat.LastAssignedAt = now;
            stat.Assigned++;
        }
        if (change.Notify)
        {
            db.Notifications.Add(new Notification
            {
                UserId = userId, Kind = "assignment", ConversationId = change.ConversationId, CreatedAt = now,
                Text = $"{change.By} assigned you a conversation: {c.Preview}",
            });
        }
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return AssignOutcome.Assigned;
    }

    /// <summary>Creates the routing profile (defaults: online, capacity 5, no skills) of people who have none yet.</summary>
    public static async Task EnsureProfilesAsync(ParleyDb db, IReadOnlyCollection<Guid> userIds, CancellationToken ct)
    {
        if (userIds.Count == 0) return;
        var ids = userIds.Distinct().ToArray();
        var have = await db.AgentProfiles.Where(p => ids.Contains(p.UserId)).Select(p => p.UserId).ToListAsync(ct);
        var missing = ids.Except(have).ToList();
        if (missing.Count == 0) return;
        var added = missing.Select(id => new AgentProfile { UserId = id }).ToList();
        db.AgentProfiles.AddRange(added);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node created some of them at the same moment: theirs will do.
        }
        foreach (var profile in added) db.Entry(profile).State = EntityState.Detached;
    }
}

/// <summary>The one shape of <c>conversation.assigned</c>, whoever assigns: a person, the router, a timer rule.</summary>
public static class AssignmentLog
{
    public static void Append(ParleyDb db, Guid conversationId, Guid brandId, Guid? teamId, Guid? assigneeId, Guid? previousAssigneeId,
        EventActor actor, string reason, DateTimeOffset at) =>
        db.Append("conversation.assigned", $"conversations/{conversationId}", brandId,
            new ConversationAssignedData(conversationId, teamId, assigneeId, previousAssigneeId, actor.Name, reason, actor), at);
}
