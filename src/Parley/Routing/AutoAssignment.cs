using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Routing;

/// <summary>Hands each auto-assigning queue's waiting conversations, oldest first, to the people
/// <see cref="ChooseAssignee"/> picks, a batch at a time (<see cref="BatchAssignment"/>). A queue stops for this pass as
/// soon as nobody can take more (everyone away, busy or without the skills).</summary>
public sealed class AutoAssignment(Assigner assigner, TimeProvider clock)
{
    public const int PerQueue = 500;

    /// <summary>Conversations that wait in a queue for a person: open, nobody owns them, and they need
    /// an answer now (not snoozed, not waiting on the customer).</summary>
    public static IQueryable<Conversation> Waiting(IQueryable<Conversation> conversations, Guid teamId) =>
        conversations.Where(c => c.TeamId == teamId && c.AssigneeId == null && c.Status == ConversationStatus.Open
            && c.State != ConversationState.Snoozed && c.State != ConversationState.WaitingOnCustomer);

    /// <returns>How many conversations were assigned.</returns>
    /// <remarks>Each queue's oldest waiting conversations are decided and written a batch at a time by
    /// <see cref="BatchAssignment"/>: a handful of queries per batch, whatever its size.</remarks>
    public async Task<int> AssignWaitingAsync(ParleyDb db, CancellationToken ct)
    {
        var queues = await db.QueueSettings.AsNoTracking().Where(q => q.AutoAssign).ToListAsync(ct);
        var assigned = 0;
        var batch = new BatchAssignment(clock);
        foreach (var queue in queues)
        {
            var waiting = await Waiting(db.Conversations.AsNoTracking(), queue.TeamId)
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(PerQueue)
                .Select(c => new BatchAssignment.Waiting(c.Id, c.ContactId, c.BrandId, c.Preview)).ToListAsync(ct);
            if (waiting.Count == 0) continue;
            var pool = await CandidatePool.LoadAsync(db, queue.TeamId, clock.GetUtcNow(), ct);
            var lastHelped = queue.Sticky ? await BatchAssignment.LastHelpedByAsync(db, waiting, ct) : [];
            assigned += (await batch.AssignAsync(db, queue, pool, waiting, lastHelped, ct)).Assigned;
        }
        return assigned;
    }

    /// <summary>Gives one conversation to the best candidate, trying the next when the database says the
    /// first is full after all.</summary>
    /// <returns>null when nobody in the pool can take it (nor any later one).</returns>
    public async Task<AssignOutcome?> AssignOneAsync(ParleyDb db, QueueSettings queue, CandidatePool pool, Guid conversationId,
        Guid? lastHelped, CancellationToken ct, string by = "router", string? why = null)
    {
        while (true)
        {
            var decision = ChooseAssignee.For(new AssignmentRequest(queue.Skills, lastHelped), pool.Candidates,
                new AssignmentRules(queue.Fairness, queue.Sticky));
            if (decision.UserId is not { } userId) return null;
            var outcome = await assigner.TryAssignAsync(db,
                new AssignmentChange(conversationId, userId, null, CheckCapacity: true, by, why is null ? decision.Reason : $"{why} {decision.Reason}", Notify: true), ct);
            db.ChangeTracker.Clear();
            switch (outcome)
            {
                case AssignOutcome.Assigned: pool.Took(userId, clock.GetUtcNow()); return outcome;
                case AssignOutcome.AtCapacity: pool.Full(userId); continue;
                default: return outcome;
            }
        }
    }

    /// <summary>Who owned this customer's most recent other conversation: sticky assignment prefers them.</summary>
    public static async Task<Guid?> LastHelpedByAsync(ParleyDb db, Guid contactId, Guid except, CancellationToken ct) =>
        await db.Conversations.AsNoTracking().Where(c => c.ContactId == contactId && c.Id != except && c.AssigneeId != null)
            .OrderByDescending(c => c.LastMessageAt).Select(c => c.AssigneeId).FirstOrDefaultAsync(ct);
}
