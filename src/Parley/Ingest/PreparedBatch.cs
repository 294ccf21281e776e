using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>What processing one stored delivery came to: its new status, how many messages it added, and why
/// it failed or still waits. <paramref name="Unhandled"/> is null when the delivery could not be parsed at all.</summary>
internal sealed record DeliveryOutcome(long Id, InboundStatus Status, int Added, int? Unhandled, string? Error);

/// <summary>A batch of deliveries threaded and triaged in memory, its new rows collected (<see cref="ProcessedRows"/>)
/// and the rows it read remembered as read (<see cref="ReadRows"/>), nothing saved:
/// everything expensive is done, and what is left is to check that nobody changed the conversations it read and
/// to write, which is all that needs the write turn (docs/adr/0023-processing-prepared-outside-the-write-turn.md).</summary>
/// <param name="fresh">Deliveries taken straight from the ingest journal (docs/adr/0048), in id order: not in the database
/// yet, so the write inserts their rows with their outcome instead of updating them.</param>
internal sealed class PreparedBatch(ParleyDb db, ProcessedRows rows, ThreadingLookup lookup, List<DeliveryOutcome> outcomes, int stored, DateTimeOffset now,
    IReadOnlyList<InboundEvent> fresh)
{
    /// <summary>Columns that only say "look at this conversation again" to the sweeps (ADR 14). The batch overwrites
    /// them with that mark whatever they held, so a sweep changing them meanwhile is no conflict.</summary>
    private static readonly string[] Marks = [nameof(Conversation.NextClockCheckAt), nameof(Conversation.NextTimerCheckAt)];

    private IReadOnlyList<Conversation> Read => lookup.Stored;

    public ParleyDb Db => db;
    public IReadOnlyList<DeliveryOutcome> Outcomes => outcomes;
    /// <summary>Deliveries in the batch: those stored and those taken from the journal (a quarantined one among them is
    /// only stored, with no outcome).</summary>
    public int Count => outcomes.Count + fresh.Count(e => e.Status != InboundStatus.Pending);
    /// <summary>New messages the batch stores.</summary>
    public int Stored => stored;
    public IReadOnlyList<Guid> ConversationIds => [.. Read.Select(c => c.Id)];

    /// <summary>Whether every conversation the batch read is still as it read it (apart from the sweeps' marks).
    /// Call inside the write transaction: on PostgreSQL the rows are locked until it ends, and on SQLite the
    /// transaction holds the only write lock, so nobody can change them between this check and the write.</summary>
    public async Task<bool> StillCurrentAsync(CancellationToken ct)
    {
        if (Read.Count == 0) return true;
        // The rows as they are now, as snapshots: no entities to make and snapshot again, no EF Core query (docs/adr/0031).
        var now = await SnapshotReader.Of<Conversation>(db).ReadAsync(db, [.. Read.Select(c => c.Id)], ct);
        var shape = RowShape.Of<Conversation>(db);
        var marks = shape.Bits(Marks);
        foreach (var c in Read)
            if (!now.TryGetValue(c.Id, out var current) || shape.Changed(lookup.Read.Original(c), current, ignored: marks) != 0)
                return false;
        return true;
    }

    /// <summary>Writes what the batch made and marks its deliveries (inserts the rows of those taken from the journal, with
    /// their outcome), inside the caller's transaction.</summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        await BatchWriter.WriteAsync(db, rows, lookup.Read, ct);
        // Plain commands rather than EF Core's ExecuteUpdate, the values bound as EF Core binds them (docs/adr/0046).
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var status = nameof(InboundEvent.Status);
        if (stored > 0)
            // New messages may be the ones that waiting deliveries answer: those of earlier batches go round again
            // (this batch's own waiting ones were marked pending when it was prepared).
            await command.ExecuteAsync($"UPDATE \"InboundEvents\" SET \"Status\" = {command.Literal<InboundEvent>(status, InboundStatus.Pending)} "
                + $"WHERE \"Status\" = {command.Literal<InboundEvent>(status, InboundStatus.Waiting)}", ct);
        // After the update above: this batch's own waiting deliveries stay waiting.
        if (fresh.Count > 0) InsertFresh();
        // One statement per kind of outcome (nearly always one: processed, one message each), not one per delivery.
        foreach (var kind in outcomes.Where(o => !IsFresh(o.Id)).GroupBy(o => (o.Status, o.Added, o.Unhandled, o.Error)))
        {
            await using var update = await PlainCommand.OpenAsync(db, ct);
            var (to, added, unhandled, error) = kind.Key;
            var set = new StringBuilder($"UPDATE \"InboundEvents\" SET \"Status\" = {update.Value<InboundEvent>(status, to)}, ")
                .Append($"\"ProcessedAt\" = {update.Value<InboundEvent>(nameof(InboundEvent.ProcessedAt), now)}");
            if (added != 0) set.Append($", \"MessageCount\" = \"MessageCount\" + {update.Value<InboundEvent>(nameof(InboundEvent.MessageCount), added)}");
            if (unhandled is { } u) set.Append($", \"UnhandledCount\" = {update.Value<InboundEvent>(nameof(InboundEvent.UnhandledCount), u)}");
            if (error is not null) set.Append($", \"Error\" = {update.Value<InboundEvent>(nameof(InboundEvent.Error), error)}");
            List<long> ids = [.. kind.Select(o => o.Id)];
            set.Append(" WHERE ").Append(update.In<InboundEvent, long>("\"Id\"", nameof(InboundEvent.Id), ids));
            await update.ExecuteAsync(set.ToString(), ct);
        }
    }

    private bool IsFresh(long id) => fresh.Count > 0 && id >= fresh[0].Id && id <= fresh[^1].Id;

    private void InsertFresh()
    {
        var byId = outcomes.Where(o => IsFresh(o.Id)).ToDictionary(o => o.Id);
        var rows = new List<Journal.ProcessedJournalRows.Row>(fresh.Count);
        foreach (var e in fresh) rows.Add(new(e, byId.GetValueOrDefault(e.Id)));
        Journal.ProcessedJournalRows.Insert((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection(), rows, now);
    }
}
