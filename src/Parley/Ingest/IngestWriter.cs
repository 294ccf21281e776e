using Parley.Data;
using Parley.Ingest.Journal;
using Parley.Platform;

namespace Parley.Ingest;

/// <summary>Makes raw deliveries durable before they are acknowledged. Requests that arrive while a
/// commit is under way wait for the next one and share it (group commit), so durability costs one
/// disk flush per batch rather than per request. See docs/adr/0005-ingest-two-stages.md.
/// The writer runs on a thread of its own (docs/adr/0044): a commit is synchronous work that ends in a disk flush
/// (SQLite) or a round trip (PostgreSQL), and on the thread pool it blocked one of the two cores' workers for it.
/// On SQLite a batch is made durable in the ingest journal (an append and a flush, outside the write gate, docs/adr/0045)
/// and handed to <see cref="JournalMover"/>'s queue, from which the processor takes it into its own write turn
/// (docs/adr/0048).</summary>
public sealed partial class IngestWriter : BackgroundService
{
    private const int MaxBatch = 512;

    /// <summary>Commits a batch durably and fills in each row's id, on the calling thread.</summary>
    internal delegate void CommitBatch(IReadOnlyList<InboundEvent> batch, long[] ids);

    private CommitBatch _commit;
    private readonly Func<Task> _whenCheckpointed;
    private readonly WriteGate _gate;
    private readonly ParsedDeliveries _parsed;
    private readonly InboundSignal _processor;
    private readonly ILogger<IngestWriter> _log;

    public IngestWriter(RawDeliveryStore store, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor, ILogger<IngestWriter> log,
        IngestPressure pressure, JournalSettings? journal = null)
        : this(store.Store, store.WhenCheckpointedAsync, gate, parsed, processor, log)
    {
        _pressure = pressure;
        _store = store;
        _journalSettings = journal;
    }

    private readonly RawDeliveryStore? _store;
    private readonly JournalSettings? _journalSettings;
    private IngestJournal? _journal;
    private JournalMover? _mover;

    /// <summary>The ingest journal, when this writer appends to one (SQLite, docs/adr/0045); set at start.</summary>
    internal IngestJournal? Journal => _journal;

    /// <summary>The deliveries the journal acknowledged and the database lacks, for the processor to take (docs/adr/0048);
    /// null without the journal.</summary>
    internal JournalMover? Journalled => _mover;

    /// <summary>Acknowledged deliveries not yet in the database (always 0 without the journal): what a reader of the
    /// database, such as a test that waits for processing, must wait for first.</summary>
    public long Unmoved => _mover?.Unmoved ?? 0;

    /// <summary>Completes once delivery <paramref name="id"/> can be read from the database: at once without the journal.</summary>
    public Task WhenReadableAsync(long id) => _mover?.WhenMovedAsync(id) ?? Task.CompletedTask;

    /// <summary>Opens the journal and moves what it holds past the database's rows into the database before anything
    /// else starts: hosted services start in order, and the processor and the web server come after this writer.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_journalSettings is { } settings && _store is not null && (settings.Enabled || Directory.Exists(settings.Folder)))
        {
            var journal = IngestJournal.Open(settings.Folder, settings.SegmentBytes, _store.HighestId(), _log, out var unmoved);
#pragma warning disable CA2000 // Kept when the journal is on (disposed after the last commit), disposed below otherwise.
            var mover = new JournalMover(_store, _gate, _parsed, _processor, journal, _log);
#pragma warning restore CA2000
            mover.Recover(unmoved);
            if (settings.Enabled)
            {
                (_journal, _mover, _commit) = (journal, mover, journal.Append);
                mover.Start();
            }
            else
            {
                // Turned off: what an earlier run left is in the database now; the files go.
                journal.Moved(long.MaxValue);
                journal.Dispose();
                mover.Dispose();
                Directory.Delete(settings.Folder, recursive: true);
            }
        }
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Told each commit's size, for the processor's yield (docs/adr/0047); none in the request ladder.</summary>
    private readonly IngestPressure? _pressure;

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
    /// group, for the benchmarks. Written by the writer's thread alone.</summary>
    internal (long Commits, long Rows, long CommitTicks) Totals => (Volatile.Read(ref _commits), Volatile.Read(ref _rows), Volatile.Read(ref _commitTicks));

    private long _commits, _rows, _commitTicks;

    // What arrived since the writer last took a batch. The writer sleeps on this lock's monitor only when nothing
    // waits, so a request wakes it only then: while commits follow one another, arrivals cost a lock and no wake-up.
    private readonly object _sync = new();
    private readonly List<Pending> _arrived = new(MaxBatch);
    private bool _writerAsleep, _closed;

    /// <summary>Completes once the event is committed, with its id; throws if it could not be stored.</summary>
    /// <param name="parsedAlready">The body's parse, when the caller made one: handed to the processor with the stored row.</param>
    public Task<long> StoreAsync(InboundEvent inbound, ParsedDelivery? parsedAlready = null)
    {
        // Continuations run where the result is set: in the batch's work items (Acknowledge), never on the writer's thread.
        var pending = new Pending(inbound, parsedAlready, new TaskCompletionSource<long>());
        lock (_sync)
        {
            if (_closed) throw new InvalidOperationException("Parley is shutting down.");
            _arrived.Add(pending);
            if (_writerAsleep) Monitor.Pulse(_sync);
        }
        return pending.Stored.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Write();
                written.SetResult();
            }
            catch (Exception e)
            {
                written.SetException(e);
            }
        }) { IsBackground = true, Name = "Parley ingest writer" };
        thread.Start();
        return AfterLastCommitAsync(written.Task);
    }

    private async Task AfterLastCommitAsync(Task written)
    {
        await written;
        if (_mover is not null)
        {
            await Task.Factory.StartNew(_mover.Stop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _mover.Dispose();
        }
        _journal?.Dispose();
        await _whenCheckpointed();
    }

    /// <summary>The writer's loop: takes what arrived, commits it at its turn, acknowledges it. Keeps writing what was
    /// accepted after shutdown starts; arrivals close in StopAsync.</summary>
    private void Write()
    {
        var batch = new List<Pending>(MaxBatch);
        var events = new List<InboundEvent>(MaxBatch);
        var ids = new long[MaxBatch];
        var parses = new List<ParsedDelivery?>(MaxBatch);
        while (WaitForArrivals())
        {
            // The journal's append touches no database: no turn at the gate (docs/adr/0045).
            using (_mover is null ? _gate.Enter() : default)
            {
                // Taken once the gate is ours: whatever arrived while the processor held it joins this commit.
                TakeArrivals(batch);
                foreach (var p in batch) events.Add(p.Event);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    _commit(events, ids);
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
                _pressure?.Committed(batch.Count);
            }
            if (_mover is not null)
            {
                foreach (var p in batch) parses.Add(p.Parsed);
                _mover.Hand(events, ids, parses);
                parses.Clear();
            }
            else
            {
                // Known to the processor before it is woken, so it finds every parse it could use.
                for (var i = 0; i < batch.Count; i++)
                    if (batch[i].Parsed is { } p && batch[i].Event.Status == InboundStatus.Pending) _parsed.Remember(ids[i], p);
                _processor.Pulse();
            }
            Acknowledge(batch, ids, null);
            batch.Clear();
            events.Clear();
        }
    }

    /// <summary>Sleeps until something arrived; false once arrivals are closed and all is written.</summary>
    private bool WaitForArrivals()
    {
        lock (_sync)
        {
            while (_arrived.Count == 0)
            {
                if (_closed) return false;
                _writerAsleep = true;
                Monitor.Wait(_sync);
                _writerAsleep = false;
            }
            return true;
        }
    }

    /// <summary>Moves up to <see cref="MaxBatch"/> arrivals into <paramref name="batch"/>.</summary>
    private void TakeArrivals(List<Pending> batch)
    {
        lock (_sync)
        {
            var taken = Math.Min(MaxBatch, _arrived.Count);
            for (var i = 0; i < taken; i++) batch.Add(_arrived[i]);
            _arrived.RemoveRange(0, taken);
        }
    }

    /// <summary>Completes a batch's requests in thread-pool work items of up to <see cref="AcksPerWorkItem"/>, each
    /// request's continuation (its answer) run there one after another. A work item per request
    /// (RunContinuationsAsynchronously) woke threads and spread a batch over the pool: 15-20 µs more CPU per request
    /// while requests wait for the disk (docs/adr/0038). The writer goes on to the next commit meanwhile.</summary>
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
        lock (_sync)
        {
            _closed = true;
            Monitor.PulseAll(_sync);
        }
        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Error, "Could not store a batch of {Count} inbound deliveries; they were not acknowledged.")]
    private static partial void LogBatchFailed(ILogger logger, Exception e, int count);
}

/// <summary>Tells the inbound processor that new raw deliveries are waiting.</summary>
public sealed class InboundSignal : Wakeup;
