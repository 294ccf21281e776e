using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Triage;

namespace Parley.Ingest;

/// <summary>Turns stored raw deliveries into contacts, conversations and messages, in arrival order.
/// Safe to run again on the same delivery: messages are deduplicated on the network's ids.</summary>
/// <remarks>A batch is one transaction: its deliveries are read without their change tracking, what
/// threading needs is read with a few set queries (<see cref="ThreadingLookup"/>), and everything the
/// batch creates or changes is saved at once. If a batch fails, its deliveries are processed one by
/// one so that one bad delivery cannot hold up the rest. See docs/adr/0005-ingest-two-stages.md.</remarks>
public sealed partial class InboundProcessor(
    IServiceScopeFactory scopes, InboundSignal signal, EventSignal events, ChannelDirectory channels, WriteGate gate, ParsedDeliveries parsedAtIngest,
    TimeProvider clock, ILogger<InboundProcessor> log) : BackgroundService
{
    public const string Name = "inbound-processor";
    private const int MaxBatch = 500;
    private const int MinBatch = 16;
    /// <summary>How long one batch may hold SQLite's write lock: acknowledgements wait behind it.</summary>
    private static readonly TimeSpan TurnTarget = TimeSpan.FromMilliseconds(8);
    /// <summary>How long a delivery may wait for the message it answers (Meta does not promise order).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private int _batchSize = 200;

    /// <summary>A stored delivery as processing needs it; the row itself is updated through a stub.</summary>
    private sealed record Delivery(long Id, Guid ChannelId, string Source, DateTimeOffset ReceivedAt,
        int MessageCount, int UnhandledCount, InboundStatus Status, string? Error, DateTimeOffset? ProcessedAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ProcessPendingAsync(stoppingToken) == 0)
                    await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogLoopFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Processes one batch of waiting deliveries.</summary>
    /// <returns>How many deliveries were taken.</returns>
    public async Task<int> ProcessPendingAsync(CancellationToken ct)
    {
        var ids = new List<long>();
        using (await gate.EnterAsync(ct))
        {
            var started = Stopwatch.GetTimestamp();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var batch = await PendingAsync(db, null, _batchSize, ct);
                if (batch.Count == 0) return 0;
                ids.AddRange(batch.Select(b => b.Id));
                await ProcessAsync(db, batch, ct);
                await tx.CommitAsync(ct);
                Adapt(batch.Count, Stopwatch.GetElapsedTime(started));
                events.Pulse();
                return batch.Count;
            }
            catch (Exception e) when (e is not OperationCanceledException && ids.Count > 0)
            {
                LogBatchRetried(log, e, ids.Count);
            }
        }
        // Something in the batch failed: process each on its own so one bad delivery cannot hold up the rest.
        foreach (var id in ids) await ProcessAloneAsync(id, ct);
        events.Pulse();
        return ids.Count;
    }

    /// <summary>On SQLite a batch holds the write lock that acknowledgements wait for. While the
    /// ingest writer is waiting, batches are sized to take about <see cref="TurnTarget"/>; while
    /// nobody waits they grow again, since larger transactions cost less per delivery.</summary>
    private void Adapt(int count, TimeSpan took)
    {
        if (!gate.Exclusive) return;
        if (!gate.Contended)
        {
            if (count == _batchSize) _batchSize = Math.Min(MaxBatch, _batchSize * 2);
            return;
        }
        var perDelivery = took.TotalMilliseconds / Math.Max(1, count);
        var fits = (int)(TurnTarget.TotalMilliseconds / Math.Max(perDelivery, 0.001));
        // Move half-way towards what fits, so one slow batch (a checkpoint, a GC) does not swing it.
        _batchSize = Math.Clamp((_batchSize + fits) / 2, MinBatch, MaxBatch);
    }

    private static Task<List<Delivery>> PendingAsync(ParleyDb db, long? only, int take, CancellationToken ct)
    {
        var query = db.InboundEvents.AsNoTracking().Where(e => e.Status == InboundStatus.Pending);
        if (only is { } id) query = query.Where(e => e.Id == id);
        return query.OrderBy(e => e.Id).Take(take)
            .Select(e => new Delivery(e.Id, e.ChannelId, e.Source, e.ReceivedAt, e.MessageCount, e.UnhandledCount, e.Status, e.Error, e.ProcessedAt))
            .ToListAsync(ct);
    }

    private async Task ProcessAloneAsync(long id, CancellationToken ct)
    {
        using var turn = await gate.EnterAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var one = await PendingAsync(db, id, 1, ct);
            if (one.Count == 0) return;
            await ProcessAsync(db, one, ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDeliveryFailed(log, e, id);
            db.ChangeTracker.Clear();
            await db.InboundEvents.Where(x => x.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, InboundStatus.Failed)
                .SetProperty(x => x.Error, Truncate(e.Message, 1000))
                .SetProperty(x => x.ProcessedAt, clock.GetUtcNow()), ct);
        }
    }

    /// <summary>Threads <paramref name="batch"/> and saves the result, inside the caller's transaction.</summary>
    /// <returns>How many new messages were stored.</returns>
    private async Task<int> ProcessAsync(ParleyDb db, List<Delivery> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var work = new List<(Delivery Delivery, ChannelRuntime? Channel, ParsedDelivery? Parsed)>(batch.Count);
        var parsedAlready = batch.Select(d => parsedAtIngest.Take(d.Id)).ToList();
        // Bodies are read only for deliveries whose parse at ingest is not at hand.
        var unparsed = batch.Where((_, i) => parsedAlready[i] is null).Select(d => d.Id).ToList();
        var bodies = unparsed.Count == 0 ? [] : await db.InboundEvents.AsNoTracking().Where(e => unparsed.Contains(e.Id))
            .Select(e => new { e.Id, e.Body }).ToDictionaryAsync(e => e.Id, e => e.Body, ct);
        for (var i = 0; i < batch.Count; i++)
        {
            var d = batch[i];
            var channel = await channels.FindAsync(d.ChannelId, ct);
            work.Add((d, channel, channel is null ? null : parsedAlready[i] ?? InboundParsers.Parse(d.Source, bodies[d.Id], channel)));
        }
        var lookup = await ThreadingLookup.LoadAsync(db,
            work.Where(w => w.Parsed is not null).Select(w => (w.Channel!, w.Parsed!.Items)), ct);

        var stored = 0;
        var waitingNow = new List<InboundEvent>();
        var triage = new InboundTriage();
        foreach (var (d, channel, parsed) in work)
        {
            // A stub with the row's current values: only what changes below is written.
            var inbound = new InboundEvent
            {
                Id = d.Id, ChannelId = d.ChannelId, Source = d.Source, ReceivedAt = d.ReceivedAt, Status = d.Status,
                Error = d.Error, MessageCount = d.MessageCount, UnhandledCount = d.UnhandledCount, ProcessedAt = d.ProcessedAt,
            };
            db.InboundEvents.Attach(inbound);
            if (channel is null || parsed is null)
            {
                inbound.Status = InboundStatus.Failed;
                inbound.Error = "The channel no longer exists.";
            }
            else
            {
                var (added, waiting) = await ThreadInboundItems.ApplyAsync(db, lookup, channel, parsed.Items, now, triage, ct);
                stored += added;
                inbound.MessageCount += added;
                inbound.UnhandledCount = parsed.Unhandled;
                inbound.Status = parsed.Items.Count == 0 && parsed.Unhandled > 0 ? InboundStatus.Unhandled : InboundStatus.Processed;
                if (waiting > 0 && now - d.ReceivedAt < MaxWait)
                {
                    inbound.Status = InboundStatus.Waiting;
                    waitingNow.Add(inbound);
                }
                else if (waiting > 0) inbound.Error = $"{waiting} message(s) answered posts that never arrived.";
            }
            inbound.ProcessedAt = now;
        }

        if (stored > 0)
        {
            // New messages may be the ones that waiting deliveries answer: those waiting from earlier
            // batches and those of this one (a reply ahead of its post in the same batch) go round again.
            await db.InboundEvents.Where(e => e.Status == InboundStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, InboundStatus.Pending), ct);
            foreach (var w in waitingNow) w.Status = InboundStatus.Pending;
        }
        await db.SaveChangesAsync(ct);
        return stored;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(LogLevel.Error, "The inbound processor loop failed; retrying in a second.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Warning, "A batch of {Count} inbound deliveries failed; processing them one by one.")]
    private static partial void LogBatchRetried(ILogger logger, Exception e, int count);

    [LoggerMessage(LogLevel.Error, "Inbound delivery {Id} could not be processed and was marked failed.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception e, long id);
}
