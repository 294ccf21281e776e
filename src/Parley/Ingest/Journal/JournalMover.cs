using Parley.Data;

namespace Parley.Ingest.Journal;

/// <summary>Copies what the ingest journal acknowledged into the database (docs/adr/0045), on a thread of its own: as soon
/// as deliveries arrive it takes what waits (up to <see cref="MaxBatch"/>), stores them with the journal's ids in one
/// transaction at its turn of the <see cref="WriteGate"/>, hands their parses to the processor and wakes it, and tells
/// the journal what is now in the database. The writer hands it the rows it just made durable, so in steady state
/// nothing is read back from the files; only a restart reads them (<see cref="Recover"/>).</summary>
internal sealed partial class JournalMover(RawDeliveryStore store, WriteGate gate, ParsedDeliveries parsed, InboundSignal processor,
    IngestJournal journal, ILogger log)
{
    private const int MaxBatch = 512;

    /// <summary>Deliveries handed but not yet moved past which the writer waits (about 60 MB of 3 KB bodies): a database
    /// that cannot keep up, or is failing, slows acknowledgements down instead of filling the memory.</summary>
    private const int MaxBacklog = 20_000;

    private readonly object _sync = new();
    private readonly List<(InboundEvent Event, ParsedDelivery? Parsed)> _waiting = [];
    private bool _asleep, _closed;
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

    /// <summary>Moves what a restart found in the journal, before anything else runs (the processor, the writer).</summary>
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
        _thread = new Thread(Move) { IsBackground = true, Name = "Parley journal mover" };
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
                _waiting.Add((new InboundEvent
                {
                    Id = ids[i], ChannelId = e.ChannelId, Source = e.Source, ReceivedAt = e.ReceivedAt, Body = e.Body,
                    Status = e.Status, Error = e.Error,
                }, parses[i]));
            }
            if (events.Count > 0) Volatile.Write(ref _handedUpTo, ids[events.Count - 1]);
            if (_asleep) Monitor.Pulse(_sync);
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

    private void Move()
    {
        var batch = new List<InboundEvent>(MaxBatch);
        var parses = new List<ParsedDelivery?>(MaxBatch);
        var failures = 0;
        while (true)
        {
            if (batch.Count == 0 && !Take(batch, parses)) return;
            try
            {
                using (gate.Enter()) store.StoreJournalled(batch);
                failures = 0;
            }
            catch (Exception e)
            {
                LogMoveFailed(log, e, batch.Count);
                // Stopping, and the database keeps failing: what is left is safe in the journal until the next start.
                if (++failures >= 3 && IsClosed()) return;
                Thread.Sleep(TimeSpan.FromSeconds(1));
                DropStored(batch, parses);
                continue;
            }
            Moved(batch, parses);
            batch.Clear();
            parses.Clear();
        }
    }

    private void Moved(List<InboundEvent> batch, List<ParsedDelivery?> parses)
    {
        // Known to the processor before it is woken, so it finds every parse it could use.
        for (var i = 0; i < batch.Count; i++)
            if (parses[i] is { } p && batch[i].Status == InboundStatus.Pending) parsed.Remember(batch[i].Id, p);
        processor.Pulse();
        Volatile.Write(ref _movedUpTo, batch[^1].Id);
        lock (_awaited)
        {
            for (var i = _awaited.Count - 1; i >= 0; i--)
                if (_awaited[i].Id <= batch[^1].Id)
                {
                    _awaited[i].Moved.TrySetResult();
                    _awaited.RemoveAt(i);
                }
        }
        try { journal.Moved(batch[^1].Id); }
        catch (IOException e) { LogMoveFailed(log, e, 0); }
    }

    /// <summary>After a failed commit whose outcome is unknown (the commit may have reached the disk before the error):
    /// drops what the database holds, so nothing is stored twice.</summary>
    private void DropStored(List<InboundEvent> batch, List<ParsedDelivery?> parses)
    {
        long highest;
        try { highest = store.HighestId(); }
        catch (Exception) { return; }
        var stored = batch.FindLastIndex(e => e.Id <= highest) + 1;
        if (stored == 0) return;
        Moved(batch.GetRange(0, stored), parses.GetRange(0, stored));
        batch.RemoveRange(0, stored);
        parses.RemoveRange(0, stored);
    }

    private bool Take(List<InboundEvent> batch, List<ParsedDelivery?> parses)
    {
        lock (_sync)
        {
            while (_waiting.Count == 0)
            {
                if (_closed) return false;
                _asleep = true;
                Monitor.Wait(_sync);
                _asleep = false;
            }
            var taken = Math.Min(MaxBatch, _waiting.Count);
            for (var i = 0; i < taken; i++)
            {
                batch.Add(_waiting[i].Event);
                parses.Add(_waiting[i].Parsed);
            }
            _waiting.RemoveRange(0, taken);
            // The writer may be waiting for room.
            Monitor.PulseAll(_sync);
            return true;
        }
    }

    private bool IsClosed()
    {
        lock (_sync) return _closed;
    }

    [LoggerMessage(LogLevel.Information, "Moved {Count} acknowledged deliveries from the ingest journal into the database.")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Could not move {Count} acknowledged deliveries from the ingest journal into the database; they are safe in the journal and are tried again.")]
    private static partial void LogMoveFailed(ILogger logger, Exception e, int count);
}
