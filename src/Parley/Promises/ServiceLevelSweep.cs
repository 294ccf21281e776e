using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <summary>Evaluates the clocks of open conversations that are due a look, and announces each
/// warning and breach exactly once (<c>service_level.warning</c>, <c>service_level.breached</c>).</summary>
public sealed partial class ServiceLevelSweep(IServiceScopeFactory scopes, EventSignal events, TimeProvider clock,
    ILogger<ServiceLevelSweep> log) : BackgroundService
{
    public const string Name = "service-level-sweep";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    /// <summary>Without a policy or anything pending, look again after this long (a policy may be added).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { while (await RunOnceAsync(stoppingToken) == 500) { } }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many conversations were evaluated.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var due = await db.Conversations
            .Where(c => c.Status == ConversationStatus.Open && (c.NextClockCheckAt == null || c.NextClockCheckAt <= now))
            .OrderBy(c => c.NextClockCheckAt).Take(500).ToListAsync(ct);
        var fired = 0;
        foreach (var conversation in due)
        {
            var evaluation = await ConversationClocks.EvaluateAsync(db, conversation, now, ct);
            if (evaluation is null)
            {
                conversation.NextClockCheckAt = now + Idle;
                continue;
            }
            var already = await db.FiredClockEvents.Where(f => f.ConversationId == conversation.Id).Select(f => f.Key).ToListAsync(ct);
            foreach (var e in ServiceClocks.DueEvents(evaluation.Report, already))
            {
                db.FiredClockEvents.Add(new FiredClockEvent { ConversationId = conversation.Id, Key = e.Key, FiredAt = now });
                var status = evaluation.Report.AllClocks.FirstOrDefault(c => c.Clock == e.Clock && c.Cycle == e.Cycle);
                db.Append(e.Kind == ClockEventKind.Breached ? "service_level.breached" : "service_level.warning",
                    $"conversations/{conversation.Id}", conversation.BrandId, new
                    {
                        conversationId = conversation.Id,
                        policy = evaluation.Policy.Name,
                        clock = ClockNames.Of(e.Clock),
                        cycle = e.Cycle,
                        at = e.At,
                        dueAt = status?.DueAt,
                        leadTime = e.LeadTime,
                    }, now);
                fired++;
            }
            conversation.NextClockCheckAt = evaluation.Report.NextCheckAt ?? now + Idle;
        }
        await db.SaveChangesAsync(ct);
        if (fired > 0) events.Pulse();
        return due.Count;
    }

    [LoggerMessage(LogLevel.Error, "The service-level sweep failed; trying again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}

public static class ClockNames
{
    public static string Of(ClockKind kind) => kind switch
    {
        ClockKind.Acknowledge => "acknowledge",
        ClockKind.NextResponse => "next_response",
        _ => "resolve",
    };

    public static string Of(ClockState state) => state switch
    {
        ClockState.NotApplicable => "not_applicable",
        ClockState.Running => "running",
        ClockState.Paused => "paused",
        ClockState.Met => "met",
        _ => "breached",
    };
}
