using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest.Journal;
using Parley.Platform.Events;
using Parley.Triage;

namespace Parley.Ingest;

/// <summary>Turns stored raw deliveries into contacts, conversations and messages, in arrival order.
/// Safe to run again on the same delivery: messages are deduplicated on the network's ids.</summary>
/// <remarks>A batch is prepared first: its deliveries are read without their change tracking, what threading
/// and triage need is read with a few set queries (<see cref="ThreadingLookup"/>, <see cref="InboundTriage"/>),
/// the rows the batch creates are collected (<see cref="ProcessedRows"/>), and the lookup remembers the rows it read as read. Only then does it take its write turn, in
/// which it checks that the conversations it read are unchanged and writes everything in one transaction through
/// prepared commands (<see cref="PreparedBatch"/>, <see cref="BatchWriter"/>). If a batch fails, its deliveries are processed one by one so that one bad
/// delivery cannot hold up the rest. On SQLite with the ingest journal a batch also takes the deliveries the journal
/// acknowledged and the database lacks, straight from memory, and its transaction inserts their rows with their outcome
/// (docs/adr/0048). See docs/adr/0005-ingest-two-stages.md, 0023 and 0027.</remarks>
public sealed partial class InboundProcessor(
    IServiceScopeFactory scopes, InboundSignal signal, EventSignal events, ChannelDirectory channels, WriteGate gate, ParsedDeliveries parsedAtIngest,
    TimeProvider clock, ILogger<InboundProcessor> log, IngestPressure pressure, Microsoft.Extensions.Options.IOptions<IngestOptions> options,
    IngestWriter writer)
    : BackgroundService
{
    public const string Name = "inbound-processor";
    private const int MaxBatch = 500;
    private const int MinBatch = 16;
    /// <summary>How long one batch may hold SQLite's write lock: acknowledgements wait behind it.</summary>
    private static readonly TimeSpan TurnTarget = TimeSpan.FromMilliseconds(8);
    /// <summary>How long a delivery may wait for the message it answers (Meta does not promise order).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private int _batchSize = 200;

    /// <summary>Deliveries written between two WAL checkpoints the processor runs after its turn on SQLite: a few
    /// hundred to a thousand pages, about what SQLite's own auto-checkpoint (1,000 pages) let grow, but copied
    /// outside the turn (docs/adr/0036).</summary>
    private const int CheckpointEvery = 128;
    private int _sinceCheckpoint;

    /// <summary>Benchmark only: the largest batch taken, to measure processing at the small batches moderate rates
    /// make (what arrived since the last batch).</summary>
    internal int BatchCap { get; set; } = MaxBatch;

    /// <summary>Tests only: runs after a batch is prepared and before it asks for its write turn, to change what
    /// the batch read in between, as an agent might.</summary>
    internal Func<CancellationToken, Task>? AfterPrepare { get; set; }

    /// <summary>Batches prepared again because a conversation they read changed meanwhile (for the benchmark).</summary>
    internal int Conflicts => Volatile.Read(ref _conflicts);
    private int _conflicts;

    /// <summary>A delivery as processing needs it: stored, or taken from the journal (<paramref name="Fresh"/>, with the
    /// parse made when it was received).</summary>
    private sealed record Delivery(long Id, Guid ChannelId, string Source, DateTimeOffset ReceivedAt, JournalDelivery? Fresh = null);

    /// <summary>The deliveries an attempt took from the journal, for its caller to release and, if it fails, to move.</summary>
    private sealed class Taken : StrongBox<JournalMover.JournalTake?>;

    /// <summary>How a try at a batch ended: nothing to do, written, or given up because someone changed a
    /// conversation the batch read (<see cref="Conflicted"/> holds those it read, to lock on the next try).</summary>
    private sealed record Attempt(int Taken, bool Written, IReadOnlyList<Guid> Conflicted)
    {
        public static readonly Attempt None = new(0, true, []);
    }

    /// <summary>A batch smaller than this was cut short by what had arrived, not by the cap: the next one waits
    /// <see cref="Gather"/> for more (docs/adr/0043).</summary>
    internal const int GatherBelow = 64;

    /// <summary>How long the loop lets deliveries gather after a small batch before it takes the next (zero: not at
    /// all, the default). Part of a batch's cost does not grow with its size (its queries, the pages its commit writes,
    /// the background work its pulse wakes), so at moderate rates, where a batch holds what arrived during the last
    /// one, a larger batch costs less CPU per delivery; but the wait adds up to this much to ack → readable. Off until
    /// the quiet machine's capacity search shows it pays: a batch of 48 measured only 8-14 % less CPU per delivery
    /// than one of 16 (docs/adr/0043). The benchmark's <c>--gather-ms</c> sets it.</summary>
    internal TimeSpan Gather { get; set; } = TimeSpan.Zero;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var backlogGauges = CreateBacklogMeter();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Between write turns only: a yield never holds the gate the acknowledgements wait for.
                if (await YieldAsync(stoppingToken)) continue;
                var take = NextTake();
                var taken = await ProcessPendingAsync(take, stoppingToken);
                if (taken < take) TookAll();
                if (taken == 0)
                    await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                // Everything pending was taken and it was little: the next batch gathers for a moment first. A full
                // batch (a backlog, or a turn kept short while acknowledgements wait) goes on at once.
                else if (taken < take && taken < GatherBelow && Gather > TimeSpan.Zero)
                    await Task.Delay(Gather, stoppingToken);
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
    /// <remarks>The batch is prepared (read, threaded, triaged) before its write turn, and the turn holds only the
    /// check that nobody changed the conversations it read, the write and the commit. When an agent or a sweep did
    /// change one, the batch is prepared again inside the turn, where nobody can (docs/adr/0023).</remarks>
    public Task<int> ProcessPendingAsync(CancellationToken ct) => ProcessPendingAsync(Math.Min(_batchSize, BatchCap), ct);

    private async Task<int> ProcessPendingAsync(int take, CancellationToken ct)
    {
        var ids = new List<long>();
        var fromJournal = new Taken();
        try
        {
            var attempt = await AttemptAsync(null, take, insideTurn: false, [], ids, fromJournal, ct);
            if (!attempt.Written)
            {
                Interlocked.Increment(ref _conflicts);
                LogConflict(log, attempt.Taken);
                attempt = await AttemptAsync(null, take, insideTurn: true, attempt.Conflicted, ids, fromJournal, ct);
            }
            if (attempt.Taken > 0) events.Pulse();
            await CheckpointWhenDueAsync(attempt.Taken, ct);
            return attempt.Taken;
        }
        catch (Exception e) when (e is not OperationCanceledException && ids.Count > 0)
        {
            LogBatchRetried(log, e, ids.Count);
        }
        // Something in the batch failed: process each on its own so one bad delivery cannot hold up the rest. Those it
        // took from the journal are stored as pending rows first, as ADR 45's mover stored them.
        if (fromJournal.Value is { } journalled) await writer.Journalled!.MoveUpToAsync(journalled.LastId, ct);
        foreach (var id in ids) await ProcessAloneAsync(id, ct);
        events.Pulse();
        return ids.Count;
    }

    /// <summary>One try at a batch (or at one delivery, <paramref name="only"/>): prepared before the write turn,
    /// or inside it (<paramref name="insideTurn"/>, after a conflict), holding <paramref name="lockFirst"/>'s rows.</summary>
    /// <param name="ids">Filled with the deliveries taken, for the caller's fallback if this throws.</param>
    /// <param name="fromJournal">Holds what the attempt took from the journal, released when it returns.</param>
    private async Task<Attempt> AttemptAsync(long? only, int take, bool insideTurn, IReadOnlyList<Guid> lockFirst, List<long> ids,
        Taken fromJournal, CancellationToken ct)
    {
        fromJournal.Value = null;
        try
        {
            var attempt = await AttemptHoldingAsync(only, take, insideTurn, lockFirst, ids, fromJournal, ct);
            // Committed: out of the journal's queue, readable, and the journal may recycle what held them (file work,
            // done once the write turn is over).
            if (attempt.Written) fromJournal.Value?.Stored();
            return attempt;
        }
        finally
        {
            // Given back (written or not): the front of the journal's queue is someone else's to take again.
            fromJournal.Value?.Dispose();
        }
    }

    private async Task<Attempt> AttemptHoldingAsync(long? only, int take, bool insideTurn, IReadOnlyList<Guid> lockFirst, List<long> ids,
        Taken fromJournal, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        PreparedBatch? batch = null;
        if (!insideTurn)
        {
            batch = await PrepareAsync(db, only, take, ids, fromJournal, ct);
            if (batch is null) return Attempt.None;
            if (AfterPrepare is { } hook) await hook(ct);
        }

        var asked = Stopwatch.GetTimestamp();
        using var turn = await gate.EnterAsync(ct);
        var started = ProcessingMetrics.Piece("wait", asked);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        using var noCheckpoint = WalCheckpoints.PauseAutomatic(db);
        var piece = ProcessingMetrics.Piece("begin", started);
        if (batch is null)
        {
            // On SQLite the transaction already excludes every other writer; on PostgreSQL the rows the last try
            // found changed are locked before they are read again, so they cannot change a second time.
            if (db.IsPostgres && lockFirst.Count > 0)
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Conversations\" WHERE \"Id\" = ANY({lockFirst.ToArray()}) ORDER BY \"Id\" FOR UPDATE", ct);
            batch = await PrepareAsync(db, only, take, ids, fromJournal, ct);
            if (batch is null) return Attempt.None;
        }
        var current = await batch.StillCurrentAsync(ct);
        piece = ProcessingMetrics.Piece("check", piece);
        if (!current)
        {
            await tx.RollbackAsync(ct);
            // Still pending: a later round takes them again.
            return new Attempt(batch.Count, false, batch.ConversationIds);
        }
        await batch.WriteAsync(ct);
        piece = ProcessingMetrics.Piece("write", piece);
        await tx.CommitAsync(ct);
        ProcessingMetrics.Piece("commit", piece);
        ProcessingMetrics.Piece("turn", started);
        ProcessingMetrics.BatchSize.Record(batch.Count);
        foreach (var id in ids) parsedAtIngest.Forget(id);
        Adapt(batch.Count, Stopwatch.GetElapsedTime(started));
        return new Attempt(batch.Count, true, []);
    }

    /// <summary>On SQLite a batch's write turn holds the write lock that acknowledgements wait for. While the
    /// ingest writer is waiting, batches are sized so a turn takes about <see cref="TurnTarget"/>; while
    /// nobody waits they grow again, since larger batches cost less per delivery.</summary>
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

    /// <summary>On SQLite a commit whose WAL has passed 1,000 pages copies them into the database file and flushes it
    /// (SQLite's auto-checkpoint), tens of milliseconds that acknowledgements would wait for if it happened inside
    /// the turn. The turn's connection has it paused (<see cref="WalCheckpoints.PauseAutomatic"/>); this copies the
    /// WAL after the turn instead, while others commit (a passive checkpoint takes no write lock).</summary>
    private async Task CheckpointWhenDueAsync(int written, CancellationToken ct)
    {
        if (!gate.Exclusive) return;
        _sinceCheckpoint += written;
        if (_sinceCheckpoint < CheckpointEvery) return;
        _sinceCheckpoint = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var started = Stopwatch.GetTimestamp();
            await db.Database.OpenConnectionAsync(ct);
            WalCheckpoints.Passive((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection());
            ProcessingMetrics.Piece("checkpoint", started);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only tidiness is lost: the next one, or the raw store's, copies what this one did not.
            LogCheckpointFailed(log, e);
        }
    }

    /// <summary>The oldest pending deliveries (or <paramref name="only"/>, if pending), through a plain command
    /// (docs/adr/0046). The status is EF Core's literal, so the partial index of pending rows serves it (docs/adr/0041).</summary>
    private static async Task<List<Delivery>> PendingAsync(ParleyDb db, long? only, int take, CancellationToken ct)
    {
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var pending = command.Literal<InboundEvent>(nameof(InboundEvent.Status), InboundStatus.Pending);
        var one = only is { } id ? $" AND \"Id\" = {command.Value<InboundEvent>(nameof(InboundEvent.Id), id)}" : "";
        var sql = $"SELECT \"Id\", \"ChannelId\", \"Source\", \"ReceivedAt\" FROM \"InboundEvents\" WHERE \"Status\" = {pending}{one} "
            + $"ORDER BY \"Id\" LIMIT {take}";
        var channelId = command.Reader<InboundEvent>(nameof(InboundEvent.ChannelId));
        var receivedAt = command.Reader<InboundEvent>(nameof(InboundEvent.ReceivedAt));
        var found = new List<Delivery>(Math.Min(take, 512));
        await using var reader = await command.ReadAsync(sql, ct);
        while (await reader.ReadAsync(ct))
            found.Add(new Delivery(reader.GetInt64(0), (Guid)channelId(reader, 1)!, reader.GetString(2), (DateTimeOffset)receivedAt(reader, 3)!));
        return found;
    }

    /// <summary>The stored bodies of these deliveries, by id.</summary>
    private static async Task<Dictionary<long, byte[]>> BodiesAsync(ParleyDb db, List<long> ids, CancellationToken ct)
    {
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var sql = $"SELECT \"Id\", \"Body\" FROM \"InboundBodies\" WHERE {command.In<InboundEvent, long>("\"Id\"", nameof(InboundEvent.Id), ids)}";
        var body = command.Reader<InboundEvent>(nameof(InboundEvent.Body));
        var found = new Dictionary<long, byte[]>(ids.Count);
        await using var reader = await command.ReadAsync(sql, ct);
        while (await reader.ReadAsync(ct)) found[reader.GetInt64(0)] = (byte[])body(reader, 1)!;
        return found;
    }

    private async Task ProcessAloneAsync(long id, CancellationToken ct)
    {
        try
        {
            // Prepared inside the turn: one delivery costs little to hold it for, and nobody can change what it reads.
            var attempt = await AttemptAsync(id, 1, insideTurn: true, [], [], new Taken(), ct);
            if (!attempt.Written) LogConflict(log, 1);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDeliveryFailed(log, e, id);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            using var turn = await gate.EnterAsync(ct);
            await db.InboundEvents.Where(x => x.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, InboundStatus.Failed)
                .SetProperty(x => x.Error, Truncate(e.Message, 1000))
                .SetProperty(x => x.ProcessedAt, clock.GetUtcNow()), ct);
            parsedAtIngest.Forget(id);
        }
    }

    /// <summary>Reads <paramref name="take"/> pending deliveries (or <paramref name="only"/> that one), fills the batch up
    /// with deliveries the journal acknowledged and the database lacks, threads and triages them, and collects the rows
    /// they make (<see cref="ProcessedRows"/>) without saving.</summary>
    /// <returns>Null when nothing is pending.</returns>
    private async Task<PreparedBatch?> PrepareAsync(ParleyDb db, long? only, int take, List<long> ids, Taken fromJournal, CancellationToken ct)
    {
        var batch = await PendingAsync(db, only, take, ct);
        // The database holds a prefix of the journal, so what the journal holds beyond it comes after every stored
        // delivery: taken from memory, with the parses made at the acknowledgement (docs/adr/0048).
        var fresh = new List<InboundEvent>();
        if (only is null && batch.Count < take && writer.Journalled?.TryTake(take - batch.Count) is { } taken)
        {
            fromJournal.Value = taken;
            foreach (var d in taken.Deliveries)
            {
                fresh.Add(d.Event);
                // A quarantined body is stored as it was acknowledged, never processed.
                if (d.Event.Status == InboundStatus.Pending)
                    batch.Add(new Delivery(d.Event.Id, d.Event.ChannelId, d.Event.Source, d.Event.ReceivedAt, d));
            }
        }
        if (batch.Count == 0 && fresh.Count == 0) return null;
        ids.Clear();
        ids.AddRange(batch.Select(b => b.Id));
        // Quarantined ones too: if the batch fails, the caller's fallback must see that it took something.
        ids.AddRange(fresh.Where(e => e.Status != InboundStatus.Pending).Select(e => e.Id));

        var now = clock.GetUtcNow();
        var work = new List<(Delivery Delivery, ChannelRuntime? Channel, ParsedDelivery? Parsed)>(batch.Count);
        var parsedAlready = batch.Select(d => d.Fresh is { } f ? f.Parsed : parsedAtIngest.Find(d.Id)).ToList();
        // Bodies are read only for stored deliveries whose parse at ingest is not at hand.
        var unparsed = batch.Where((d, i) => parsedAlready[i] is null && d.Fresh is null).Select(d => d.Id).ToList();
        var bodies = unparsed.Count == 0 ? [] : await BodiesAsync(db, unparsed, ct);
        for (var i = 0; i < batch.Count; i++)
        {
            var d = batch[i];
            var channel = await channels.FindAsync(d.ChannelId, ct);
            work.Add((d, channel, channel is null ? null : parsedAlready[i] ?? InboundParsers.Parse(d.Source, d.Fresh?.Event.Body ?? bodies[d.Id], channel)));
        }
        var lookup = await ThreadingLookup.LoadAsync(db,
            work.Where(w => w.Parsed is not null).Select(w => (w.Channel!, w.Parsed!.Items)), ct);
        var triage = new InboundTriage();
        var inbound = work.Where(w => w.Parsed is not null).SelectMany(w => w.Parsed!.Items).Where(i => i.Direction == MessageDirection.Inbound).ToList();
        if (inbound.Count > 0) await triage.PreloadAsync(db, lookup.StoredContacts, inbound.Min(i => i.CreatedAt), ct);

        var rows = new ProcessedRows();
        var stored = 0;
        var outcomes = new List<DeliveryOutcome>(batch.Count);
        foreach (var (d, channel, parsed) in work)
        {
            if (channel is null || parsed is null)
            {
                outcomes.Add(new DeliveryOutcome(d.Id, InboundStatus.Failed, 0, null, "The channel no longer exists."));
                continue;
            }
            var (added, waiting) = await ThreadInboundItems.ApplyAsync(db, rows, lookup, channel, parsed.Items, now, triage, ct);
            stored += added;
            var status = parsed.Items.Count == 0 && parsed.Unhandled > 0 ? InboundStatus.Unhandled : InboundStatus.Processed;
            string? error = null;
            if (waiting > 0 && now - d.ReceivedAt < MaxWait) status = InboundStatus.Waiting;
            else if (waiting > 0) error = $"{waiting} message(s) answered posts that never arrived.";
            outcomes.Add(new DeliveryOutcome(d.Id, status, added, parsed.Unhandled, error));
        }
        // New messages may be the ones this batch's waiting deliveries answer (a reply ahead of its post in the
        // same batch): those go round again at once.
        if (stored > 0)
            for (var i = 0; i < outcomes.Count; i++)
                if (outcomes[i].Status == InboundStatus.Waiting) outcomes[i] = outcomes[i] with { Status = InboundStatus.Pending };
        return new PreparedBatch(db, rows, lookup, outcomes, stored, now, fresh);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(LogLevel.Error, "The inbound processor loop failed; retrying in a second.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Warning, "A batch of {Count} inbound deliveries failed; processing them one by one.")]
    private static partial void LogBatchRetried(ILogger logger, Exception e, int count);

    [LoggerMessage(LogLevel.Information, "{Count} inbound deliveries were prepared while someone changed a conversation they read; preparing them again.")]
    private static partial void LogConflict(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "A WAL checkpoint after a processing turn failed; a later one will catch up.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Error, "Inbound delivery {Id} could not be processed and was marked failed.")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception e, long id);
}
