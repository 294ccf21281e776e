using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Triage;

/// <summary>Ends patience windows: a conversation whose customer stopped writing (the brand's window passed
/// since their last message, or the longest hold since their first) is ranked by its priority now and
/// announced with <c>triage.burst_completed</c>, which is what routing and notifications wait for.</summary>
public sealed partial class PatienceWindowSweep(IServiceScopeFactory scopes, EventSignal events, TimeProvider clock,
    ILogger<PatienceWindowSweep> log) : BackgroundService
{
    public const string Name = "patience-window-sweep";
    /// <summary>A burst is announced within this long after its window ends.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { while (await RunOnceAsync(stoppingToken) == BatchSize) { } }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many conversations became ready.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var due = await db.Conversations.AsNoTracking().Where(c => !c.ReadyAnnounced && c.ReadyAt <= now)
            .OrderBy(c => c.ReadyAt).Take(BatchSize)
            .Select(c => new { c.Id, c.BrandId, c.Status, c.ReadyAt, c.BurstStartedAt, c.Priority, c.PriorityReasons })
            .ToListAsync(ct);
        if (due.Count == 0) return 0;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var c in due)
        {
            // Guarded on the burst read: a message that arrived since moved ReadyAt on, and that burst waits its own window.
            var updated = await db.Conversations.Where(x => x.Id == c.Id && !x.ReadyAnnounced && x.ReadyAt == c.ReadyAt)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReadyAnnounced, true).SetProperty(x => x.RankedPriority, x => x.AwaitingReplySince == null ? 0 : x.Priority), ct);
            if (updated == 1 && c.Status == ConversationStatus.Open)
                TriageStore.AppendReady(db, c.Id, c.BrandId, c.Priority, StoredSignals.ReadReasons(c.PriorityReasons), c.BurstStartedAt, c.ReadyAt, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        events.Pulse();
        return due.Count;
    }

    [LoggerMessage(LogLevel.Error, "The patience-window sweep failed; trying again in a second.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
