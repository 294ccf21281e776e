using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
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
    /// more under ingest, outside the gate, and acknowledgements waited behind it; docs/adr/0040). Since its writes are
    /// prepared statements (docs/adr/0049) a turn of 64 is shorter than one of 32 was, and the commit's fsync, most of a
    /// small turn, is paid half as often.</summary>
    private const int SqliteBatchSize = 64;
    /// <summary>Announcements per tick at most, so a large backlog (after a pause, or a burst of new customers) clears
    /// within seconds while other writers still take their turns between batches.</summary>
    private const int MaxPerTick = 2_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
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
        // Stopped on its own (a test, the sweep benchmark) rather than with the host: not a failure, and the host, which
        // stops the application when a background service fails, must not stop for it.
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>Announces one batch of due bursts in one transaction: the read, the conversations' update and the
    /// events through plain commands and the batch writer's prepared statements, not EF Core's pipeline and
    /// <c>SaveChanges</c> (which inserted the events a statement each and read their sequence numbers back): the turn
    /// holds the write lock acknowledgements wait for (docs/adr/0049).</summary>
    /// <returns>How many conversations were due (at most a batch).</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        using var turn = await gate.EnterAsync(ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var due = await DueBursts.ReadAsync(db, now, gate.Exclusive ? SqliteBatchSize : BatchSize, ct);
        if (due.Count == 0) return 0;

        var announced = await DueBursts.MarkAsync(db, due, ct);
        var rows = new ProcessedRows();
        foreach (var c in announced.Where(c => c.Status == ConversationStatus.Open))
            TriageStore.AppendReady(rows, c.Id, c.BrandId, c.Priority, StoredSignals.ReadReasons(c.PriorityReasons), c.BurstStartedAt, c.ReadyAt, now);
        await BatchWriter.WriteAsync(db, rows, new ReadRows(db), ct);
        await tx.CommitAsync(ct);
        SweepMetrics.Announced.Record(announced.Count);
        events.Pulse();
        return due.Count;
    }

    [LoggerMessage(LogLevel.Error, "The patience-window sweep failed; trying again in a second.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
