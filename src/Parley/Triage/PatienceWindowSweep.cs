using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Triage;

/// <summary>Ends patience windows: a conversation whose customer stopped writing (the brand's window passed
/// since their last message, or the longest hold since their first) is ranked by its priority now and
/// announced with <c>triage.burst_completed</c>, which is what routing and notifications wait for.</summary>
public sealed partial class PatienceWindowSweep(IServiceScopeFactory scopes, EventSignal events, WriteGate gate, TimeProvider clock,
    ILogger<PatienceWindowSweep> log) : BackgroundService
{
    public const string Name = "patience-window-sweep";
    /// <summary>A burst is announced within this long after its window ends.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 200;
    /// <summary>On SQLite a batch's transaction holds the write lock that webhook acknowledgements wait for: a turn
    /// at the <see cref="WriteGate"/> with a few dozen announcements is a few milliseconds (200 held it for 40 ms and
    /// more under ingest, outside the gate, and acknowledgements waited behind it; docs/adr/0040).</summary>
    private const int SqliteBatchSize = 32;
    /// <summary>Announcements per tick at most, so a large backlog (after a pause, or a burst of new customers) clears
    /// within seconds while other writers still take their turns between batches.</summary>
    private const int MaxPerTick = 2_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            // Batch after batch while they come full: each takes its own turn at the write gate, so the ingest writer
            // and the inbound processor, served in arrival order, get theirs in between.
            try
            {
                for (var announced = 0; announced < MaxPerTick;)
                {
                    var done = await RunOnceAsync(stoppingToken);
                    announced += done;
                    if (done < (gate.Exclusive ? SqliteBatchSize : BatchSize)) break;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Announces one batch of due bursts in one transaction.</summary>
    /// <returns>How many conversations were due (at most a batch).</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        using var turn = await gate.EnterAsync(ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Compared with a parameter, not negated: SQLite cannot search an index on "NOT ReadyAnnounced", and scanned and
        // sorted every conversation here, inside the write turn (tens of milliseconds at 100,000; docs/adr/0042).
        var announcedAlready = false;
        var due = await db.Conversations.AsNoTracking().Where(c => c.ReadyAnnounced == announcedAlready && c.ReadyAt <= now)
            .OrderBy(c => c.ReadyAt).Take(gate.Exclusive ? SqliteBatchSize : BatchSize)
            .Select(c => new DueBurst(c.Id, c.BrandId, c.Status, c.ReadyAt, c.BurstStartedAt, c.Priority, c.PriorityReasons))
            .ToListAsync(ct);
        if (due.Count == 0) return 0;

        var announced = new List<DueBurst>(due.Count);
        if (!db.IsPostgres)
        {
            // SQLite: this transaction holds the only write lock since it began, so what it read is still true;
            // one statement keeps the lock as briefly as possible.
            var ids = due.Select(c => c.Id).ToArray();
            await db.Conversations.Where(x => ids.Contains(x.Id) && !x.ReadyAnnounced)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReadyAnnounced, true).SetProperty(x => x.RankedPriority, x => x.AwaitingReplySince == null ? 0 : x.Priority), ct);
            announced.AddRange(due);
        }
        else
        {
            // Locked first in key order, as the processor locks the conversations it read (SnapshotReader): updated
            // in the order they came due, the sweep and a processing batch each held a row the other waited for, and
            // PostgreSQL ended one of them (40P01) under load.
            var ids = due.Select(c => c.Id).ToArray();
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Conversations\" WHERE \"Id\" = ANY({ids}) ORDER BY \"Id\" FOR UPDATE", ct);
            foreach (var c in due)
            {
                // Guarded on the burst read: a message that arrived since moved ReadyAt on (its burst waits its own
                // window), or was complete on arrival and announced with it.
                var updated = await db.Conversations.Where(x => x.Id == c.Id && !x.ReadyAnnounced && x.ReadyAt == c.ReadyAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReadyAnnounced, true).SetProperty(x => x.RankedPriority, x => x.AwaitingReplySince == null ? 0 : x.Priority), ct);
                if (updated == 1) announced.Add(c);
            }
        }
        foreach (var c in announced.Where(c => c.Status == ConversationStatus.Open))
            TriageStore.AppendReady(db, c.Id, c.BrandId, c.Priority, StoredSignals.ReadReasons(c.PriorityReasons), c.BurstStartedAt, c.ReadyAt, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        events.Pulse();
        return due.Count;
    }

    private sealed record DueBurst(Guid Id, Guid BrandId, ConversationStatus Status, DateTimeOffset? ReadyAt, DateTimeOffset? BurstStartedAt,
        int Priority, string PriorityReasons);

    [LoggerMessage(LogLevel.Error, "The patience-window sweep failed; trying again in a second.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
