using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Webhooks;

/// <summary>Writes the followers' steps (each a cursor move and the rows of what did not go) for all followers that
/// are ready, in one transaction: a group commit (ADR 25). Twenty followers each opening a write transaction a few
/// times a second queued on SQLite's single writer lock, and Microsoft.Data.Sqlite waits for that lock by sleeping on
/// the thread, so the waiting followers held the thread pool's threads while the HTTP responses they were waiting
/// for had none to run on. Here a follower waits asynchronously for the one write in progress, and the next write
/// takes everything that queued meanwhile. On SQLite the write also takes its turn at the <see cref="WriteGate"/> with
/// the process's other busy writers (ADR 28): a writer that met it on SQLite's lock instead slept 150 ms, and the
/// followers, released by this very write, read the log just without what that writer was holding back.</summary>
internal sealed class FollowerCommits(IServiceScopeFactory scopes, WriteGate gate) : IDisposable
{
    /// <summary>One follower's step: move <paramref name="CursorName"/> from <paramref name="From"/> to
    /// <paramref name="To"/> (compare-and-set) and, only if that succeeds, add <paramref name="Rows"/>.</summary>
    public sealed class Commit(Guid subscriptionId, string cursorName, Guid? from, Guid to, List<WebhookDelivery> rows)
    {
        public Guid SubscriptionId { get; } = subscriptionId;
        public string CursorName { get; } = cursorName;
        public Guid? From { get; } = from;
        public Guid To { get; } = to;
        public List<WebhookDelivery> Rows { get; } = rows;
        /// <summary>True when the cursor moved; false when another writer had moved it first (the step is dropped).</summary>
        internal TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly List<Commit> _queued = [];

    /// <returns>Whether the step was written (false: another node moved the cursor first).</returns>
    public async Task<bool> CommitAsync(Commit commit, CancellationToken ct)
    {
        lock (_queued) _queued.Add(commit);
        try
        {
            await _writing.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            lock (_queued) _queued.Remove(commit);
            throw;
        }
        try
        {
            // Written by the write before this one, with others'. Not cancelled with this follower: the write carries
            // the other followers' steps too, and is a few statements long.
            if (!commit.Done.Task.IsCompleted) await WriteQueuedAsync(CancellationToken.None);
        }
        finally { _writing.Release(); }
        return await commit.Done.Task;
    }

    private async Task WriteQueuedAsync(CancellationToken ct)
    {
        List<Commit> batch;
        lock (_queued)
        {
            batch = [.. _queued];
            _queued.Clear();
        }
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            var moved = await WriteAsync(batch, ct);
            if (FanOutMetrics.GroupWrite.Enabled) FanOutMetrics.GroupWrite.Record(TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(moved[i]);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One step's rows must not keep every other follower from moving: write each alone.
            foreach (var commit in batch)
            {
                try { commit.Done.TrySetResult((await WriteAsync([commit], ct))[0]); }
                catch (Exception e) { commit.Done.TrySetException(e); }
            }
        }
        catch (Exception e)
        {
            foreach (var commit in batch) commit.Done.TrySetException(e);
        }
    }

    private async Task<bool[]> WriteAsync(List<Commit> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var moved = new bool[batch.Count];
        using var turn = await gate.EnterAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        for (var i = 0; i < batch.Count; i++)
        {
            var c = batch[i];
            // Compare-and-set: if another node moved this cursor first, what it sent stands and this step is dropped.
            moved[i] = await db.WebhookCursors.Where(x => x.Name == c.CursorName && x.LastEventId == c.From)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastEventId, c.To), ct) == 1;
            if (moved[i]) db.WebhookDeliveries.AddRange(c.Rows);
        }
        await db.SaveChangesAsync(ct);
        for (var i = 0; i < batch.Count; i++)
            if (moved[i] && batch[i].Rows.Any(r => r.State == DeliveryState.Delivered))
                await PruneSuccessesAsync(db, batch[i].SubscriptionId, ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>Keeps the delivery log's successes to the latest <see cref="SubscriptionFollower.RecentSuccesses"/>.</summary>
    private static async Task PruneSuccessesAsync(ParleyDb db, Guid subscriptionId, CancellationToken ct)
    {
        var delivered = db.WebhookDeliveries.Where(d => d.SubscriptionId == subscriptionId && d.State == DeliveryState.Delivered);
        var oldestKept = await delivered.OrderByDescending(d => d.Seq).Skip(SubscriptionFollower.RecentSuccesses - 1).Select(d => (long?)d.Seq).FirstOrDefaultAsync(ct);
        if (oldestKept is { } seq)
            await delivered.Where(d => d.Seq < seq).ExecuteDeleteAsync(ct);
    }

    public void Dispose() => _writing.Dispose();
}
