using Parley.Data;

namespace Parley.Ingest.Journal;

/// <summary>The deliveries the ingest journal acknowledged and the database does not hold yet, in id order
/// (docs/adr/0045, 0048). The inbound processor takes them from here itself (<see cref="TryTake"/>): its write turn
/// inserts their rows already carrying their final status, with what processing made of them, so a delivery is written
/// once. This class moves them into the database as pending rows, as ADR 45's mover did, only when the processor will
/// not take them soon: more than <see cref="SpillAbove"/> wait, the processor is yielding to acknowledgements
/// (docs/adr/0047), a batch the processor took failed, or the process stops. Either way they enter the database from
/// the front, in whole transactions, so the database always holds a prefix of the journal.</summary>
internal sealed partial class JournalMover(RawDeliveryStore store, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor,
    IngestJournal journal, ILogger log) : IDisposable
{
    private const int MaxBatch = 512;

    /// <summary>Deliveries waiting past which the oldest are moved into the database as pending rows, until half as many
    /// wait: the processor has fallen behind (about a second of deliveries at the capacity measured on the quiet
    /// machine), and the backlog goes where a segment can be recycled. The benchmark raises it to measure processing
    /// straight from the journal.</summary>
    internal int SpillAbove { get; set; } = 4_096;

    /// <summary>Deliveries waiting past which the writer waits (about 60 MB of 3 KB bodies): a database that cannot keep
    /// up, or is failing, slows acknowledgements down instead of filling the memory.</summary>
    internal int MaxBacklog { get; set; } = 20_000;

    private readonly object _sync = new();
    private readonly List<JournalDelivery> _waiting = [];
    // Whoever takes from the front (the processor for a batch, this class to move) holds this until what it took is
    // in the database or given back: two takers never take the same deliveries.
    private readonly SemaphoreSlim _front = new(1, 1);
    private bool _asleep, _closed, _processorAway;
    private Thread? _thread;
    private long _handedUpTo, _movedUpTo;

    private readonly List<(long Id, TaskCompletionSource Moved)> _awaited = [];

    /// <summary>Completes once delivery <paramref name="id"/> is in the database.</summary>
    public Task WhenMovedAsync(long id)
    {
        lock (_awaited)
        {
            if (Volatile.Read(ref _movedUpTo) >= id) return Task.CompletedTask;
            var moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((id, moved));
            return moved.Task;
        }
    }

    /// <summary>How many handed deliveries are not in the database yet.</summary>
    public long Unmoved => Math.Max(0, Volatile.Read(ref _handedUpTo) - Volatile.Read(ref _movedUpTo));

    /// <summary>The waiting deliveries still to be processed (not quarantined), and when the oldest of them arrived: the
    /// part of the backlog that is not in the database yet.</summary>
    public (int Count, DateTimeOffset? Oldest) Backlog()
    {
        lock (_sync)
        {
            var count = 0;
            DateTimeOffset? oldest = null;
            foreach (var d in _waiting)
                if (d.Event.Status == InboundStatus.Pending)
                {
                    count++;
                    oldest ??= d.Event.ReceivedAt;
                }
            return (count, oldest);
        }
    }

    /// <summary>Moves what a restart found in the journal, before anything else runs (the processor, the writer). As
    /// pending rows: before the web server and the processor start there is no write turn to process them in, and a
    /// reader (the API, an operator) finds every acknowledged delivery in the database from the first request.</summary>
    public void Recover(List<InboundEvent> unmoved)
    {
        for (var from = 0; from < unmoved.Count; from += MaxBatch)
        {
            var batch = unmoved.GetRange(from, Math.Min(MaxBatch, unmoved.Count - from));
            using (gate.Enter()) store.StoreJournalled(batch);
            journal.Moved(batch[^1].Id);
        }
        if (unmoved.Count > 0)
        {
            LogRecovered(log, unmoved.Count);
            processor.Pulse();
        }
    }

    public void Start()
    {
        _thread = new Thread(MoveWhenBehind) { IsBackground = true, Name = "Parley journal mover" };
        _thread.Start();
    }

    /// <summary>From the writer, once the batch is durable in the journal: waits only while too much waits already.</summary>
    public void Hand(List<InboundEvent> events, long[] ids, List<ParsedDelivery?> parses)
    {
        lock (_sync)
        {
            while (_waiting.Count >= MaxBacklog && !_closed) Monitor.Wait(_sync);
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                _waiting.Add(new JournalDelivery(new InboundEvent
                {
                    Id = ids[i], ChannelId = e.ChannelId, Source = e.Source, ReceivedAt = e.ReceivedAt, Body = e.Body,
                    Status = e.Status, Error = e.Error,
                }, parses[i]));
            }
            if (events.Count > 0) Volatile.Write(ref _handedUpTo, ids[events.Count - 1]);
            if (_asleep && MustMove()) Monitor.Pulse(_sync);
        }
        processor.Pulse();
    }

    /// <summary>For the processor: the oldest waiting deliveries, up to <paramref name="max"/>, unless someone else is
    /// taking from the front. The caller owns the front until it disposes the take, after it told
    /// <see cref="JournalTake.Stored"/> what its transaction committed.</summary>
    public JournalTake? TryTake(int max)
    {
        if (max <= 0 || !_front.Wait(0)) return null;
        List<JournalDelivery> taken;
        lock (_sync)
        {
            taken = _waiting.GetRange(0, Math.Min(max, _waiting.Count));
        }
        if (taken.Count > 0) return new JournalTake(this, taken);
        _front.Release();
        return null;
    }

    /// <summary>The processor yields to acknowledgements (docs/adr/0047): while it does, what waits is moved into the
    /// database as pending rows, as ADR 45's mover did, so the backlog is where the processor's catch-up reads it.</summary>
    public void ProcessorAway(bool away)
    {
        lock (_sync)
        {
            if (_processorAway == away) return;
            _processorAway = away;
            if (_asleep && MustMove()) Monitor.Pulse(_sync);
        }
    }

    /// <summary>After a batch the processor took failed: moves its deliveries (up to <paramref name="upTo"/>) into the
    /// database as pending rows, so they can be processed one by one as stored ones are.</summary>
    public async Task MoveUpToAsync(long upTo, CancellationToken ct)
    {
        await _front.WaitAsync(ct);
        try
        {
            while (MoveFront(upTo, int.MaxValue) > 0) { }
        }
        finally
        {
            _front.Release();
        }
    }

    /// <summary>Moves what is still waiting, then ends the thread (at shutdown, after the writer's last append). What
    /// cannot be moved stays in the journal for the next start.</summary>
    public void Stop()
    {
        lock (_sync)
        {
            _closed = true;
            Monitor.PulseAll(_sync);
        }
        _thread?.Join();
    }

    /// <summary>Benchmark only: drops the parses held with the waiting deliveries, so processing parses their bodies again.</summary>
    /// <returns>How many were dropped.</returns>
    internal int DropParses()
    {
        lock (_sync)
        {
            var dropped = 0;
            for (var i = 0; i < _waiting.Count; i++)
                if (_waiting[i].Parsed is not null)
                {
                    _waiting[i] = _waiting[i] with { Parsed = null };
                    dropped++;
                }
            return dropped;
        }
    }

    public void Dispose() => _front.Dispose();

    private bool MustMove() => _waiting.Count > 0 && (_closed || _processorAway || _waiting.Count > SpillAbove);

    /// <summary>The thread: moves the oldest deliveries as pending rows while <see cref="MustMove"/>; sleeps otherwise.</summary>
    private void MoveWhenBehind()
    {
        var failures = 0;
        while (true)
        {
            int excess;
            lock (_sync)
            {
                while (!MustMove())
                {
                    if (_closed) return;
                    _asleep = true;
                    Monitor.Wait(_sync);
                    _asleep = false;
                }
                // Behind: down to half the limit, so the next deliveries are still the processor's to take from memory.
                excess = _closed || _processorAway ? int.MaxValue : _waiting.Count - SpillAbove / 2;
            }
            _front.Wait();
            try
            {
                MoveFront(long.MaxValue, excess);
                failures = 0;
            }
            catch (Exception e)
            {
                LogMoveFailed(log, e, MaxBatch);
                // Stopping, and the database keeps failing: what is left is safe in the journal until the next start.
                if (++failures >= 3 && IsClosed()) return;
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
            finally
            {
                _front.Release();
            }
        }
    }

    /// <summary>Moves up to <see cref="MaxBatch"/> (and <paramref name="most"/>) of the oldest waiting deliveries, none past
    /// <paramref name="upTo"/>, as pending rows in one transaction at a turn of the write gate. The caller holds the front.</summary>
    /// <returns>How many left the queue (moved, or found in the database already).</returns>
    private int MoveFront(long upTo, int most)
    {
        List<JournalDelivery> batch;
        lock (_sync)
        {
            var n = 0;
            while (n < _waiting.Count && n < MaxBatch && n < most && _waiting[n].Event.Id <= upTo) n++;
            batch = _waiting.GetRange(0, n);
        }
        if (batch.Count == 0) return 0;
        // A commit whose outcome was unknown (it failed after reaching the disk, here or in the processor's turn) may
        // have stored some already: those are dropped, so nothing is stored twice.
        var stored = store.HighestIdUpTo(batch[^1].Event.Id);
        var first = batch.FindIndex(d => d.Event.Id > stored);
        if (first < 0) first = batch.Count;
        if (first < batch.Count)
        {
            var rest = batch.GetRange(first, batch.Count - first);
            using (gate.Enter()) store.StoreJournalled([.. rest.Select(d => d.Event)]);
            // Known to the processor before it is woken, so it finds every parse it could use.
            foreach (var d in rest)
                if (d.Parsed is { } p && d.Event.Status == InboundStatus.Pending) parsed.Remember(d.Event.Id, p);
        }
        Stored(batch[^1].Event.Id);
        processor.Pulse();
        return batch.Count;
    }

    /// <summary>Everything up to <paramref name="upTo"/> is in the database: it leaves the queue, whoever waited for it
    /// hears, and the journal may recycle the segments that held it. The caller holds the front.</summary>
    private void Stored(long upTo)
    {
        lock (_sync)
        {
            var n = 0;
            while (n < _waiting.Count && _waiting[n].Event.Id <= upTo) n++;
            _waiting.RemoveRange(0, n);
            // The writer may be waiting for room.
            Monitor.PulseAll(_sync);
        }
        Volatile.Write(ref _movedUpTo, Math.Max(Volatile.Read(ref _movedUpTo), upTo));
        lock (_awaited)
        {
            for (var i = _awaited.Count - 1; i >= 0; i--)
                if (_awaited[i].Id <= upTo)
                {
                    _awaited[i].Moved.TrySetResult();
                    _awaited.RemoveAt(i);
                }
        }
        try { journal.Moved(upTo); }
        catch (IOException e) { LogMoveFailed(log, e, 0); }
    }

    private bool IsClosed()
    {
        lock (_sync) return _closed;
    }

    /// <summary>Deliveries the processor took from the front of the queue for one batch: it owns the front until this is
    /// disposed. <see cref="Stored"/> once its transaction committed them.</summary>
    internal sealed class JournalTake(JournalMover mover, List<JournalDelivery> deliveries) : IDisposable
    {
        private bool _released;

        public IReadOnlyList<JournalDelivery> Deliveries => deliveries;

        public long LastId => deliveries[^1].Event.Id;

        /// <summary>The batch's transaction committed these deliveries' rows.</summary>
        public void Stored() => mover.Stored(LastId);

        public void Dispose()
        {
            if (_released) return;
            _released = true;
            mover._front.Release();
        }
    }

    [LoggerMessage(LogLevel.Information, "Moved {Count} acknowledged deliveries from the ingest journal into the database.")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Could not move {Count} acknowledged deliveries from the ingest journal into the database; they are safe in the journal and are tried again.")]
    private static partial void LogMoveFailed(ILogger logger, Exception e, int count);
}

/// <summary>A delivery the journal acknowledged, with the parse made when it was received (null: none was made).</summary>
internal sealed record JournalDelivery(InboundEvent Event, ParsedDelivery? Parsed);
