using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Conversations;

/// <summary>Wakes snoozed conversations whose time has come.</summary>
public sealed partial class WakeSnoozedConversations(IServiceScopeFactory scopes, EventSignal events, TimeProvider clock,
    ILogger<WakeSnoozedConversations> log) : BackgroundService
{
    public const string Name = "snooze-waker";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { await RunOnceAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many conversations woke.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var due = await db.Conversations
            .Where(c => c.State == ConversationState.Snoozed && c.SnoozedUntil != null && c.SnoozedUntil <= now)
            .OrderBy(c => c.SnoozedUntil).Take(500).ToListAsync(ct);
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
