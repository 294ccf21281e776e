using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Conversations;

/// <summary>Wakes snoozed conversations whose time has come.</summary>
public sealed partial class WakeSnoozedConversations(IServiceScopeFactory scopes, EventSignal events, WriteGate gate, TimeProvider clock,
    ILogger<WakeSnoozedConversations> log) : BackgroundService
{
    public const string Name = "snooze-waker";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private const int BatchSize = 500;
    /// <summary>On SQLite a batch's write holds the lock webhook acknowledgements wait for: a few dozen conversations per
    /// turn at the <see cref="WriteGate"/>, batch after batch (docs/adr/0042).</summary>
    private const int SqliteBatchSize = 32;
    private int Batch => gate.Exclusive ? SqliteBatchSize : BatchSize;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { while (await RunOnceAsync(stoppingToken) == Batch) { } }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many conversations woke (at most a batch).</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var snoozed = db.Conversations.Where(c => c.State == ConversationState.Snoozed && c.SnoozedUntil != null && c.SnoozedUntil <= now);
        if (!await snoozed.AnyAsync(ct)) return 0;
        // Read again in the turn: SaveChanges checks nothing, so what it read must still be true when it writes.
        using var turn = await gate.EnterAsync(ct);
        var due = await snoozed
            .OrderBy(c => c.SnoozedUntil).Take(Batch).ToListAsync(ct);
        foreach (var c in due)
        {
            foreach (var type in c.Wake(now))
                db.Append(type, $"conversations/{c.Id}", c.BrandId, ConversationEventData.From(c, EventActor.Automated(Name)), now);
        }
        await db.SaveChangesAsync(ct);
        if (due.Count > 0) events.Pulse();
        return due.Count;
    }

    [LoggerMessage(LogLevel.Error, "Waking snoozed conversations failed; trying again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
