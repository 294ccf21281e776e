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
    /// <remarks>Brands without a policy cost nothing: their conversations are not looked at (a new policy clears
    /// their next looks). Each conversation's events are written in a short transaction of their own, and its next
    /// look with a single-row update: no lock is held across conversations, so the sweep cannot deadlock with
    /// ingest, whose transaction updates many conversations on PostgreSQL.</remarks>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var brands = await db.ServiceLevelPolicies.AsNoTracking().Select(p => p.BrandId).Distinct().ToArrayAsync(ct);
        if (brands.Length == 0) return 0;
        var now = clock.GetUtcNow();
        var due = await db.Conversations.AsNoTracking()
            .Where(c => c.Status == ConversationStatus.Open && (c.NextClockCheckAt == null || c.NextClockCheckAt <= now) && brands.Contains(c.BrandId))
            .OrderBy(c => c.NextClockCheckAt).Take(500).ToListAsync(ct);
        var fired = 0;
        foreach (var conversation in due)
        {
            var evaluation = await ConversationClocks.EvaluateAsync(db, conversation, now, ct);
            if (evaluation is not null) fired += await AnnounceAsync(db, conversation, evaluation, now, ct);
            var next = evaluation?.Report.NextCheckAt ?? now + Idle;
            // Only if nothing changed since it was read: a change cleared the look, and that must stand.
            await db.Conversations.Where(c => c.Id == conversation.Id && c.LastMessageAt == conversation.LastMessageAt && c.State == conversation.State
                    && c.AcknowledgedAt == conversation.AcknowledgedAt && c.Status == ConversationStatus.Open
                    && (c.NextClockCheckAt == null || c.NextClockCheckAt <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextClockCheckAt, next), ct);
        }
        if (fired > 0) events.Pulse();
        return due.Count;
    }

    /// <returns>How many warnings and breaches were announced.</returns>
    private async Task<int> AnnounceAsync(ParleyDb db, Conversation conversation, ConversationClocks.Evaluation evaluation, DateTimeOffset now, CancellationToken ct)
    {
        var already = await db.FiredClockEvents.Where(f => f.ConversationId == conversation.Id).Select(f => f.Key).ToListAsync(ct);
        var dueEvents = ServiceClocks.DueEvents(evaluation.Report, already).ToList();
        if (dueEvents.Count == 0) return 0;
        foreach (var e in dueEvents)
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
        }
        try
        {
            // The keys are unique per conversation: a second node announcing the same events fails here, and changes nothing.
            await db.SaveChangesAsync(ct);
            return dueEvents.Count;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return 0;
        }
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
