using System.Threading.Channels;
using Parley.Data;
using Parley.Platform;

namespace Parley.Ingest;

/// <summary>Makes raw deliveries durable before they are acknowledged. Requests that arrive while a
/// commit is under way wait for the next one and share it (group commit), so durability costs one
/// disk flush per batch rather than per request. See docs/adr/0005-ingest-two-stages.md.</summary>
public sealed partial class IngestWriter : BackgroundService
{
    private const int MaxBatch = 512;

    /// <summary>Commits a batch durably and fills in each row's id.</summary>
    internal delegate Task CommitBatch(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct);

    private readonly CommitBatch _commit;
    private readonly Func<Task> _whenCheckpointed;
    private readonly WriteGate _gate;
    private readonly ParsedDeliveries _parsed;
    private readonly InboundSignal _processor;
    private readonly ILogger<IngestWriter> _log;

    public IngestWriter(RawDeliveryStore store, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor, ILogger<IngestWriter> log)
        : this(store.StoreAsync, store.WhenCheckpointedAsync, gate, parsed, processor, log)
    {
    }

    /// <summary>With any store: the request-path benchmark's ladder (bench/Parley.Bench) uses one that does nothing.</summary>
    internal IngestWriter(CommitBatch commit, Func<Task> whenCheckpointed, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor,
        ILogger<IngestWriter> log)
    {
        _commit = commit;
        _whenCheckpointed = whenCheckpointed;
        _gate = gate;
        _parsed = parsed;
        _processor = processor;
        _log = log;
    }

    private sealed record Pending(InboundEvent Event, ParsedDelivery? Parsed, TaskCompletionSource<long> Stored);

    /// <summary>Commits made and rows committed, and the time spent in commits (Stopwatch ticks): how the requests
    /// group, for the benchmarks. Written by the writer's loop alone.</summary>
    internal (long Commits, long Rows, long CommitTicks) Totals => (Volatile.Read(ref _commits), Volatile.Read(ref _rows), Volatile.Read(ref _commitTicks));

    private long _commits, _rows, _commitTicks;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once the event is committed, with its id; throws if it could not be stored.</summary>
    /// <param name="parsedAlready">The body's parse, when the caller made one: handed to the processor with the stored row.</param>
    public Task<long> StoreAsync(InboundEvent inbound, ParsedDelivery? parsedAlready = null)
    {
        // Continuations run where the result is set: in the batch's work items (Acknowledge), never on the writer's loop.
        var pending = new Pending(inbound, parsedAlready, new TaskCompletionSource<long>());
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
            using (await _gate.EnterAsync(CancellationToken.None))
            {
                // Taken once the gate is ours: whatever arrived while the processor held it joins this commit.
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                    events.Add(next.Event);
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await _commit(events, ids, CancellationToken.None);
                }
                catch (Exception e)
                {
                    LogBatchFailed(_log, e, batch.Count);
                    Acknowledge(batch, ids, e);
                    batch.Clear();
                    events.Clear();
                    continue;
                }
                Volatile.Write(ref _commitTicks, _commitTicks + System.Diagnostics.Stopwatch.GetTimestamp() - started);
                Volatile.Write(ref _rows, _rows + batch.Count);
                Volatile.Write(ref _commits, _commits + 1);
            }
            // Known to the processor before it is woken, so it finds every parse it could use.
            for (var i = 0; i < batch.Count; i++)
                if (batch[i].Parsed is { } p && batch[i].Event.Status == InboundStatus.Pending) _parsed.Remember(ids[i], p);
            _processor.Pulse();
            Acknowledge(batch, ids, null);
            batch.Clear();
            events.Clear();
        }
        await _whenCheckpointed();
    }

    /// <summary>Completes a batch's requests in thread-pool work items of up to <see cref="AcksPerWorkItem"/>, each
    /// request's continuation (its answer) run there one after another. A work item per request
    /// (RunContinuationsAsynchronously) woke threads and spread a batch over the pool: 15-20 µs more CPU per request
    /// while requests wait for the disk (docs/adr/0038). The writer's loop goes on to the next commit meanwhile.</summary>
    private static void Acknowledge(List<Pending> batch, long[] ids, Exception? failed)
    {
        for (var from = 0; from < batch.Count; from += AcksPerWorkItem)
        {
            var acks = new (TaskCompletionSource<long> Stored, long Id)[Math.Min(AcksPerWorkItem, batch.Count - from)];
            for (var i = 0; i < acks.Length; i++) acks[i] = (batch[from + i].Stored, ids[from + i]);
            ThreadPool.UnsafeQueueUserWorkItem(static state =>
            {
                var (acks, failed) = state;
                foreach (var (stored, id) in acks)
                    if (failed is null) stored.TrySetResult(id);
                    else stored.TrySetException(failed);
            }, (acks, failed), preferLocal: false);
        }
    }

    /// <summary>Answers written one after another in one work item: at ~10 µs each, the last of 64 waits well under a
    /// millisecond, and a full batch of 512 still spreads over every core.</summary>
    private const int AcksPerWorkItem = 64;

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
