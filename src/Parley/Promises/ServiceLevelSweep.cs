using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <summary>One pass of the sweep, for whoever watches its cost (the benchmark, logs).</summary>
/// <param name="NextDueAt">The earliest next look of any open conversation after the pass; null when none is due ever.</param>
public sealed record SweepPass(DateTimeOffset StartedAt, TimeSpan Duration, int Evaluated, int Fired, DateTimeOffset? NextDueAt);

/// <summary>Announces each service-level warning and breach exactly once (<c>service_level.warning</c>,
/// <c>service_level.breached</c>), within moments of its due instant, however many conversations are open
/// (docs/adr/0014). Every open conversation carries when its next warning or breach is due
/// (<see cref="Conversation.NextClockCheckAt"/>, indexed with its status); a change to its clocks marks it
/// with a value before <see cref="Conversation.MarksEnd"/>. A pass reads only the due and the marked through that index, in
/// batches, evaluates each batch with a handful of set-based queries (<see cref="ClockBatch"/>), writes its events
/// and next due instants in one short transaction, and then sleeps until the earliest next due instant (at most
/// <see cref="MaxSleep"/>), or less when this node commits a change.</summary>
public sealed partial class ServiceLevelSweep(IServiceScopeFactory scopes, EventSignal events, WriteGate gate, TimeProvider clock,
    ILogger<ServiceLevelSweep> log) : BackgroundService
{
    public const string Name = "service-level-sweep";
    public const int BatchSize = 500;
    /// <summary>On SQLite a write transaction holds the lock that webhook acknowledgements wait for: a batch is written
    /// this many conversations at a time, each in its own turn at the <see cref="WriteGate"/> (docs/adr/0042).</summary>
    public const int SqliteWriteSize = 64;
    /// <summary>The longest sleep: changes committed on other nodes, and policies added, are seen within it.</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(5);
    /// <summary>The shortest pause between passes woken by commits: a busy ingest pulses many times a second,
    /// and its changes are better evaluated a batch at a time.</summary>
    public static readonly TimeSpan MinPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Raised after each pass the background loop runs.</summary>
    public event Action<SweepPass>? Passed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = MaxSleep;
            try
            {
                var pass = await RunPassAsync(stoppingToken);
                Passed?.Invoke(pass);
                sleep = SleepAfter(pass.NextDueAt, clock.GetUtcNow());
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { LogFailed(log, e); }
            try
            {
                if (sleep > MinPause)
                {
                    await Task.Delay(MinPause, clock, stoppingToken);
                    await events.WaitAsync(sleep - MinPause, stoppingToken);
                }
                else if (sleep > TimeSpan.Zero) await Task.Delay(sleep, clock, stoppingToken);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Until the next due instant, but never longer than <see cref="MaxSleep"/>; nothing when already due.</summary>
    public static TimeSpan SleepAfter(DateTimeOffset? nextDueAt, DateTimeOffset now) =>
        nextDueAt is not { } due ? MaxSleep
        : due <= now ? TimeSpan.Zero
        : due - now < MaxSleep ? due - now : MaxSleep;

    /// <returns>How many conversations were evaluated.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct) => (await RunPassAsync(ct)).Evaluated;

    /// <summary>Evaluates every conversation due when the pass starts, a batch at a time: those whose warning or
    /// breach is due first (oldest due first), then those marked as changed.</summary>
    public async Task<SweepPass> RunPassAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        // Brands without a policy cost nothing: a policy added later marks their open conversations.
        if (!(await ClockPolicies.LoadAsync(db, ct)).Any) return new(started, watch.Elapsed, 0, 0, null);
        int evaluated = 0, fired = 0;
        // A pass takes what is due when it starts, so it ends even while more keeps coming due; the loop starts
        // the next one at once.
        var until = started;
        while (true)
        {
            var now = clock.GetUtcNow();
            var batch = await DueAsync(db, until, ct);
            if (batch.Count == 0) break;
            // Read after the batch: a policy change commits with the marks it sets, so a marked conversation is
            // never evaluated against the policy as it was before the change (policies are a few rows).
            var policies = await ClockPolicies.LoadAsync(db, ct);
            var items = await ClockBatch.EvaluateAsync(db, batch, policies, now, ct);
            foreach (var part in items.Chunk(gate.Exclusive ? SqliteWriteSize : BatchSize))
                fired += await WriteAsync(db, [.. part], now, ct);
            evaluated += batch.Count;
            if (batch.Count < BatchSize) break;
        }
        if (fired > 0) events.Pulse();
        var next = await NextDueAsync(db, ct);
        return new(started, watch.Elapsed, evaluated, fired, next);
    }

    private static async Task<List<Conversation>> DueAsync(ParleyDb db, DateTimeOffset now, CancellationToken ct)
    {
        var marksEnd = Conversation.MarksEnd;
        var open = db.Conversations.AsNoTracking().Where(c => c.Status == ConversationStatus.Open);
        var due = await open.Where(c => c.NextClockCheckAt >= marksEnd && c.NextClockCheckAt <= now)
            .OrderBy(c => c.NextClockCheckAt).Take(BatchSize).ToListAsync(ct);
        if (due.Count < BatchSize)
            // In a stable order, so that a long run of changes is worked through rather than at the database's whim.
            due.AddRange(await open.Where(c => c.NextClockCheckAt < marksEnd).OrderBy(c => c.NextClockCheckAt).ThenBy(c => c.Id)
                .Take(BatchSize - due.Count).ToListAsync(ct));
        return due;
    }

    private static Task<DateTimeOffset?> NextDueAsync(ParleyDb db, CancellationToken ct) =>
        db.Conversations.AsNoTracking().Where(c => c.Status == ConversationStatus.Open && c.NextClockCheckAt != null)
            .OrderBy(c => c.NextClockCheckAt).Select(c => c.NextClockCheckAt).FirstOrDefaultAsync(ct);

    /// <summary>Writes a batch's events, the keys that make them once-only, and each conversation's next due
    /// instant in one short transaction.</summary>
    /// <returns>How many warnings and breaches were announced.</returns>
    /// <remarks>The keys are unique per conversation: if another node announced one of them meanwhile, the batch
    /// rolls back and is written again a conversation at a time, each in its own transaction, skipping what the
    /// other node wrote. A next due instant is only written if the conversation did not change since it was read
    /// (a change marks it, and that must stand).</remarks>
    private async Task<int> WriteAsync(ParleyDb db, List<ClockBatch.Item> items, DateTimeOffset now, CancellationToken ct)
    {
        var at = clock.GetUtcNow();
        var fired = 0;
        using (await gate.EnterAsync(ct))
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                foreach (var item in items) fired += Announce(db, item, at);
                if (fired > 0) await db.SaveChangesAsync(ct);
                await NextLooks.WriteAsync(db, items.Select(i => (i.Conversation, NextLook(i, now))).ToList(), ct);
                await tx.CommitAsync(ct);
                db.ChangeTracker.Clear();
                return fired;
            }
            catch (DbUpdateException)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
        fired = 0;
        foreach (var item in items)
        {
            using var turn = await gate.EnterAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var keys = item.Due.Select(e => e.Key).ToArray();
            var already = keys.Length == 0 ? [] : await db.FiredClockEvents.Where(f => f.ConversationId == item.Conversation.Id && keys.Contains(f.Key))
                .Select(f => f.Key).ToListAsync(ct);
            var rest = item with { Due = [.. item.Due.Where(e => !already.Contains(e.Key))] };
            try
            {
                var count = Announce(db, rest, at);
                if (count > 0) await db.SaveChangesAsync(ct);
                await NextLooks.WriteAsync(db, [(item.Conversation, NextLook(item, now))], ct);
                await tx.CommitAsync(ct);
                fired += count;
            }
            catch (DbUpdateException)
            {
                await tx.RollbackAsync(ct);
            }
            db.ChangeTracker.Clear();
        }
        return fired;
    }

    /// <summary>When to look again: the next threshold a running clock crosses, or never (null) until a change.
    /// A threshold reached exactly now is crossed just after it, so the look is never "now" again.</summary>
    private static DateTimeOffset? NextLook(ClockBatch.Item item, DateTimeOffset now) =>
        item.Evaluation?.Report.NextCheckAt is not { } next ? null
        : next <= now ? now.AddMilliseconds(1)
        : next;

    private static int Announce(ParleyDb db, ClockBatch.Item item, DateTimeOffset at)
    {
        if (item.Evaluation is not { } evaluation) return 0;
        var conversation = item.Conversation;
        foreach (var e in item.Due)
        {
            db.FiredClockEvents.Add(new FiredClockEvent { ConversationId = conversation.Id, Key = e.Key, FiredAt = at });
            var status = evaluation.Report.AllClocks.FirstOrDefault(c => c.Clock == e.Clock && c.Cycle == e.Cycle);
            db.Append(e.Kind == ClockEventKind.Breached ? "service_level.breached" : "service_level.warning",
                $"conversations/{conversation.Id}", conversation.BrandId, new ServiceLevelClockData(conversation.Id, evaluation.Policy.Name, ClockNames.Of(e.Clock), e.Cycle, e.At,
                    status?.DueAt, e.LeadTime), at);
        }
        return item.Due.Count;
    }

    [LoggerMessage(LogLevel.Error, "The service-level sweep failed; trying again shortly.")]
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
