using System.Threading.Channels;
using Parley.Data;
using Parley.Platform;

namespace Parley.Ingest;

/// <summary>Makes raw deliveries durable before they are acknowledged. Requests that arrive while a
/// commit is under way wait for the next one and share it (group commit), so durability costs one
/// disk flush per batch rather than per request.</summary>
public sealed partial class IngestWriter(IServiceScopeFactory scopes, InboundSignal processor, ILogger<IngestWriter> log)
    : BackgroundService
{
    private const int MaxBatch = 512;

    private sealed record Pending(InboundEvent Event, TaskCompletionSource<long> Stored);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once the event is committed, with its id; throws if it could not be stored.</summary>
    public Task<long> StoreAsync(InboundEvent inbound)
    {
        var pending = new Pending(inbound, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("Parley is shutting down.");
        return pending.Stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        // Keeps writing what was accepted after shutdown starts; the queue closes in StopAsync.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                db.InboundEvents.AddRange(batch.Select(p => p.Event));
                await db.SaveChangesAsync(CancellationToken.None);
                foreach (var p in batch) p.Stored.TrySetResult(p.Event.Id);
                processor.Pulse();
            }
            catch (Exception e)
            {
                LogBatchFailed(log, e, batch.Count);
                foreach (var p in batch) p.Stored.TrySetException(e);
            }
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Error, "Could not store a batch of {Count} inbound deliveries; they were not acknowledged.")]
    private static partial void LogBatchFailed(ILogger logger, Exception e, int count);
}

/// <summary>Tells the inbound processor that new raw deliveries are waiting.</summary>
public sealed class InboundSignal : Wakeup;
