using System.Threading.Channels;
using Parley.Data;
using Parley.Platform;

namespace Parley.Ingest;

/// <summary>Makes raw deliveries durable before they are acknowledged. Requests that arrive while a
/// commit is under way wait for the next one and share it (group commit), so durability costs one
/// disk flush per batch rather than per request. See docs/adr/0005-ingest-two-stages.md.</summary>
public sealed partial class IngestWriter(RawDeliveryStore store, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor,
    ILogger<IngestWriter> log)
    : BackgroundService
{
    private const int MaxBatch = 512;

    private sealed record Pending(InboundEvent Event, ParsedDelivery? Parsed, TaskCompletionSource<long> Stored);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once the event is committed, with its id; throws if it could not be stored.</summary>
    /// <param name="parsedAlready">The body's parse, when the caller made one: handed to the processor with the stored row.</param>
    public Task<long> StoreAsync(InboundEvent inbound, ParsedDelivery? parsedAlready = null)
    {
        var pending = new Pending(inbound, parsedAlready, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("Parley is shutting down.");
        return pending.Stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        var events = new List<InboundEvent>(MaxBatch);
        var ids = new long[MaxBatch];
        // Keeps writing what was accepted after shutdown starts; the queue closes in StopAsync.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            using (await gate.EnterAsync(CancellationToken.None))
            {
                // Taken once the gate is ours: whatever arrived while the processor held it joins this commit.
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                    events.Add(next.Event);
                }
                try
                {
                    await store.StoreAsync(events, ids, CancellationToken.None);
                }
                catch (Exception e)
                {
                    LogBatchFailed(log, e, batch.Count);
                    foreach (var p in batch) p.Stored.TrySetException(e);
                    batch.Clear();
                    events.Clear();
                    continue;
                }
            }
            // Known to the processor before it is woken, so it finds every parse it could use.
            for (var i = 0; i < batch.Count; i++)
                if (batch[i].Parsed is { } p && batch[i].Event.Status == InboundStatus.Pending) parsed.Remember(ids[i], p);
            processor.Pulse();
            for (var i = 0; i < batch.Count; i++) batch[i].Stored.TrySetResult(ids[i]);
            batch.Clear();
            events.Clear();
        }
        await store.WhenCheckpointedAsync();
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
