using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Triage;

namespace Parley.Ingest;

/// <summary>Turns stored raw deliveries into contacts, conversations and messages, in arrival order.
/// Safe to run again on the same delivery: messages are deduplicated on the network's ids.</summary>
public sealed partial class InboundProcessor(
    IServiceScopeFactory scopes, InboundSignal signal, EventSignal events, ChannelDirectory channels,
    TimeProvider clock, ILogger<InboundProcessor> log) : BackgroundService
{
    public const string Name = "inbound-processor";
    private const int BatchSize = 200;
    /// <summary>How long a delivery may wait for the message it answers (Meta does not promise order).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

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
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var batch = await db.InboundEvents.Where(e => e.Status == InboundStatus.Pending)
            .OrderBy(e => e.Id).Take(BatchSize).ToListAsync(ct);
        if (batch.Count == 0) return 0;

        var stored = 0;
        try
        {
            // One transaction for the batch keeps SQLite's single writer busy for one commit, not hundreds.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var triage = new InboundTriage();
            foreach (var inbound in batch) stored += await ProcessAsync(db, inbound, triage, ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Something in the batch failed: process each on its own so one bad delivery cannot hold up the rest.
            LogBatchRetried(log, e, batch.Count);
            foreach (var id in batch.Select(b => b.Id)) stored += await ProcessAloneAsync(id, ct);
        }
        if (stored > 0)
        {
            // New messages may be the ones that waiting deliveries answer.
            await db.InboundEvents.Where(e => e.Status == InboundStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, InboundStatus.Pending), ct);
        }
        events.Pulse();
        return batch.Count;
    }

    private async Task<int> ProcessAloneAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var inbound = await db.InboundEvents.FirstAsync(e => e.Id == id, ct);
        if (inbound.Status != InboundStatus.Pending) return 0;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var stored = await ProcessAsync(db, inbound, new InboundTriage(), ct);
            await tx.CommitAsync(ct);
            return stored;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDeliveryFailed(log, e, id);
            db.ChangeTracker.Clear();
            await db.InboundEvents.Where(x => x.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, InboundStatus.Failed)
                .SetProperty(x => x.Error, Truncate(e.Message, 1000))
                .SetProperty(x => x.ProcessedAt, clock.GetUtcNow()), ct);
            return 0;
        }
    }

    /// <returns>How many new messages were stored.</returns>
    private async Task<int> ProcessAsync(ParleyDb db, InboundEvent inbound, InboundTriage triage, CancellationToken ct)
    {
        var stored = 0;
        var now = clock.GetUtcNow();
        var channel = await channels.FindAsync(inbound.ChannelId, ct);
        if (channel is null)
        {
            inbound.Status = InboundStatus.Failed;
            inbound.Error = "The channel no longer exists.";
        }
        else
        {
            var parsed = InboundParsers.Parse(inbound.Source, inbound.Body, channel);
            (stored, var waiting) = await ThreadInboundItems.ApplyAsync(db, channel, parsed.Items, now, triage, ct);
            inbound.MessageCount += stored;
            inbound.UnhandledCount = parsed.Unhandled;
            inbound.Status = parsed.Items.Count == 0 && parsed.Unhandled > 0 ? InboundStatus.Unhandled : InboundStatus.Processed;
            if (waiting > 0 && now - inbound.ReceivedAt < MaxWait) inbound.Status = InboundStatus.Waiting;
            else if (waiting > 0) inbound.Error = $"{waiting} message(s) answered posts that never arrived.";
        }
        inbound.ProcessedAt = now;
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
