using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Routing;

/// <summary>Routes new conversations into queues, reports who is connected, and hands waiting
/// conversations to people. Wakes on any committed change (a new conversation, someone coming
/// online, a conversation resolved and freeing room) and at least every two seconds.</summary>
public sealed partial class RoutingWorker(IServiceScopeFactory scopes, EventSignal events, ConversationRouter router,
    AutoAssignment assignment, AgentConnections connections, TimeProvider clock, ILogger<RoutingWorker> log) : BackgroundService
{
    public const string Name = "router";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    /// <summary>The shortest time between two passes woken by commits. The inbound processor commits (and wakes this) after
    /// every batch, up to a hundred times a second under load, and each pass costs a scope and a few queries even when
    /// nothing waits; commits within this long are taken by one pass (docs/adr/0042). A commit after a quiet spell is
    /// still seen at once.</summary>
    public static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(100);
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;
    // One pass at a time per node: a second pass would only compete with the first for the same rows.
    private readonly SemaphoreSlim _pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the pass: a commit during the pass or the pause below wakes the next one.
            var next = events.Next;
            var started = Stopwatch.GetTimestamp();
            var busy = false;
            try { busy = await RunOnceAsync(stoppingToken) >= ConversationRouter.BatchSize; }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            if (busy) continue;
            await EventSignal.WaitAsync(next, Interval, stoppingToken);
            // Real time, not the clock's: this only paces the passes.
            if (Stopwatch.GetElapsedTime(started) is var since && since < MinPause) await Task.Delay(MinPause - since, stoppingToken);
        }
    }

    /// <returns>How many conversations were routed or assigned.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _pass.WaitAsync(ct);
        try { return await PassAsync(ct); }
        finally { _pass.Release(); }
    }

    private async Task<int> PassAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await ReportPresenceAsync(db, ct);
        var routed = await router.RouteWaitingAsync(db, ct);
        db.ChangeTracker.Clear();
        var assigned = await assignment.AssignWaitingAsync(db, ct);
        if (routed + assigned > 0) events.Pulse();
        return routed + assigned;
    }

    private async Task ReportPresenceAsync(ParleyDb db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (present, left) = connections.TakeReport(out var changed);
        if (!changed && now - _lastReport < AgentConnections.ReportEvery) return;
        _lastReport = now;
        var here = present.ToArray();
        var gone = left.ToArray();
        await Assigner.EnsureProfilesAsync(db, here, ct);
        if (here.Length > 0)
            await db.AgentProfiles.Where(p => here.Contains(p.UserId)).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastSeenAt, now), ct);
        if (gone.Length > 0)
            await db.AgentProfiles.Where(p => gone.Contains(p.UserId)).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastSeenAt, (DateTimeOffset?)null), ct);
    }

    [LoggerMessage(LogLevel.Error, "Routing failed; trying again shortly.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
