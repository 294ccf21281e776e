using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <summary>Runs the brands' timer rules: looks at the open conversations due a look (an index on
/// <c>(Status, NextTimerCheckAt)</c>), fires each due rule once (recorded in <see cref="FiredTimerRule"/>
/// and <c>timer.fired</c> in the same transaction as its action), and schedules the next look for when
/// the next rule comes due. Any change to a conversation clears its next look, so it is evaluated afresh.</summary>
/// <remarks>On SQLite each write (a rule firing with its action, a next look) takes its own turn at the <see cref="WriteGate"/>,
/// so webhook acknowledgements wait at most for one of them (docs/adr/0042).</remarks>
public sealed partial class TimerSweep(IServiceScopeFactory scopes, EventSignal events, DeliverySignal delivery, TimerActions actions,
    WriteGate gate, TimeProvider clock, ILogger<TimerSweep> log) : BackgroundService
{
    public const string Name = "timer-sweep";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    public const int BatchSize = 500;
    /// <summary>With nothing pending, look again after this long anyway (rule and conversation changes clear it sooner).</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromDays(1);

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

    /// <returns>How many conversations were looked at.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        // Brands without timer rules cost nothing: their conversations are not looked at (a new rule clears their next looks).
        var rules = (await db.TimerRules.AsNoTracking().Where(r => r.Enabled).ToListAsync(ct))
            .GroupBy(r => r.BrandId).ToDictionary(g => g.Key, g => g.ToList());
        if (rules.Count == 0) return 0;
        var brands = rules.Keys.ToArray();
        var due = await db.Conversations.AsNoTracking()
            .Where(c => c.Status == ConversationStatus.Open && (c.NextTimerCheckAt == null || c.NextTimerCheckAt <= now) && brands.Contains(c.BrandId))
            .OrderBy(c => c.NextTimerCheckAt).Take(BatchSize).ToListAsync(ct);
        if (due.Count == 0) return 0;

        var fired = 0;
        foreach (var conversation in due)
        {
            var brandRules = rules[conversation.BrandId];
            var facts = await ReadFactsAsync(db, conversation, ct);
            var already = (await db.FiredTimerRules.AsNoTracking().Where(f => f.ConversationId == conversation.Id)
                .Select(f => new { f.RuleId, f.Episode }).ToListAsync(ct)).Select(f => (f.RuleId, f.Episode)).ToHashSet();
            var evaluation = TimerRuleEvaluation.Evaluate(facts, brandRules, already, now);
            var acted = false;
            foreach (var timer in evaluation.Due)
            {
                if (await FireAsync(db, conversation.Id, timer, now, ct)) { fired++; acted = true; }
                db.ChangeTracker.Clear();
                // An action changes the conversation; the rest wait for the next look at its new state.
                if (acted) break;
            }
            if (acted) continue;
            var next = evaluation.NextCheckAt ?? now + Idle;
            // Only if nothing changed since it was read: a change cleared the look, and that must stand. One row per
            // statement: no lock held across conversations, so no deadlock with ingest on PostgreSQL.
            using var turn = await gate.EnterAsync(ct);
            await db.Conversations.Where(c => c.Id == conversation.Id && c.LastMessageAt == conversation.LastMessageAt && c.State == conversation.State
                    && c.TeamId == conversation.TeamId && c.AssigneeId == conversation.AssigneeId && c.AwaitingReplySince == conversation.AwaitingReplySince
                    && c.AcknowledgedAt == conversation.AcknowledgedAt && c.Status == ConversationStatus.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextTimerCheckAt, next), ct);
        }
        if (fired > 0)
        {
            events.Pulse();
            delivery.Pulse();
        }
        return due.Count;
    }

    /// <returns>False when another sweep (another node, or before a restart) had already fired it.</returns>
    private async Task<bool> FireAsync(ParleyDb db, Guid conversationId, DueTimer timer, DateTimeOffset now, CancellationToken ct)
    {
        var conversation = await db.Conversations.FirstAsync(c => c.Id == conversationId, ct);
        var plan = await actions.PrepareAsync(db, conversation, timer.Rule, ct);
        try
        {
            using var turn = await gate.EnterAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // First write of the transaction: the unique key is the exactly-once guarantee.
            db.FiredTimerRules.Add(new FiredTimerRule { ConversationId = conversationId, RuleId = timer.Rule.Id, Episode = timer.Episode, FiredAt = now });
            await db.SaveChangesAsync(ct);
            var outcome = await actions.ActAsync(db, conversation, timer.Rule, plan, ct);
            db.Append("timer.fired", $"conversations/{conversationId}", conversation.BrandId, new TimerFiredData(conversationId, timer.Rule.Id, timer.Rule.Name, TimerRuleNames.Of(timer.Rule.Condition),
                TimerRuleNames.Of(timer.Rule.Action), timer.Rule.After, timer.DueAt, timer.Episode, outcome,
                EventActor.Automated($"timer rule '{timer.Rule.Name}'", timer.Rule.Id)), now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await AlreadyFiredAsync(conversationId, timer, ct)) return false;
            throw;
        }
    }

    private async Task<bool> AlreadyFiredAsync(Guid conversationId, DueTimer timer, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        return await db.FiredTimerRules.AnyAsync(f => f.ConversationId == conversationId && f.RuleId == timer.Rule.Id && f.Episode == timer.Episode, ct);
    }

    public static async Task<TimerFacts> ReadFactsAsync(ParleyDb db, Conversation c, CancellationToken ct)
    {
        var kind = await db.Channels.AsNoTracking().Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).FirstOrDefaultAsync(ct) ?? "";
        var lastCustomer = await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        var answered = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Outbound && (lastCustomer == null || m.CreatedAt >= lastCustomer))
            .OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        return new TimerFacts(c.Status, c.State, c.CreatedAt, c.AcknowledgedAt, c.AwaitingReplySince, lastCustomer, answered, c.TeamId, kind);
    }

    [LoggerMessage(LogLevel.Error, "The timer-rule sweep failed; trying again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}

public static class TimerRuleNames
{
    public static string Of(TimerCondition c) => c switch
    {
        TimerCondition.NotAcknowledged => "notAcknowledged",
        TimerCondition.AwaitingReply => "awaitingReply",
        _ => "customerSilent",
    };

    public static string Of(TimerAction a) => a switch
    {
        TimerAction.Reassign => "reassign",
        TimerAction.Escalate => "escalate",
        TimerAction.AskIfResolved => "askIfResolved",
        _ => "close",
    };

    public static TimerCondition? Condition(string? s) => s switch
    {
        "notAcknowledged" => TimerCondition.NotAcknowledged,
        "awaitingReply" => TimerCondition.AwaitingReply,
        "customerSilent" => TimerCondition.CustomerSilent,
        _ => null,
    };

    public static TimerAction? Action(string? s) => s switch
    {
        "reassign" => TimerAction.Reassign,
        "escalate" => TimerAction.Escalate,
        "askIfResolved" => TimerAction.AskIfResolved,
        "close" => TimerAction.Close,
        _ => null,
    };
}
