using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;

namespace Parley.Triage;

/// <summary>The patience sweep's statements (docs/adr/0049): plain commands on the context's connection, in its write
/// turn's transaction, rather than EF Core's pipeline and <c>SaveChanges</c>. Values are bound and read through the
/// model's own type mappings (<see cref="PlainCommand"/>), so they are what EF Core bound and read before.</summary>
internal static class DueBursts
{
    /// <summary>A conversation whose burst's window has passed, as the read found it.</summary>
    public sealed record Burst(Guid Id, Guid BrandId, ConversationStatus Status, DateTimeOffset? ReadyAt, DateTimeOffset? BurstStartedAt,
        int Priority, string PriorityReasons);

    /// <summary>The read of at most <paramref name="max"/> due bursts, the longest due first (<paramref name="command"/>
    /// holds its parameters). Compared with a parameter, not negated: SQLite cannot search an index on "NOT
    /// ReadyAnnounced", and scanned and sorted every conversation inside the write turn (docs/adr/0042).</summary>
    public static string ReadSql(PlainCommand command, DateTimeOffset now, int max) =>
        "SELECT \"Id\", \"BrandId\", \"Status\", \"ReadyAt\", \"BurstStartedAt\", \"Priority\", \"PriorityReasons\" FROM \"Conversations\" "
        + $"WHERE \"ReadyAnnounced\" = {command.Value<Conversation>(nameof(Conversation.ReadyAnnounced), false)} "
        + $"AND \"ReadyAt\" <= {command.Value<Conversation>(nameof(Conversation.ReadyAt), now)} ORDER BY \"ReadyAt\" LIMIT {max}";

    public static async Task<List<Burst>> ReadAsync(ParleyDb db, DateTimeOffset now, int max, CancellationToken ct)
    {
        var due = new List<Burst>(max);
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var sql = ReadSql(command, now, max);
        var id = command.Reader<Conversation>(nameof(Conversation.Id));
        var brand = command.Reader<Conversation>(nameof(Conversation.BrandId));
        var status = command.Reader<Conversation>(nameof(Conversation.Status));
        var readyAt = command.Reader<Conversation>(nameof(Conversation.ReadyAt));
        var startedAt = command.Reader<Conversation>(nameof(Conversation.BurstStartedAt));
        var priority = command.Reader<Conversation>(nameof(Conversation.Priority));
        await using var reader = await command.ReadAsync(sql, ct);
        while (await reader.ReadAsync(ct))
            due.Add(new Burst((Guid)id(reader, 0)!, (Guid)brand(reader, 1)!, (ConversationStatus)status(reader, 2)!, (DateTimeOffset?)readyAt(reader, 3),
                (DateTimeOffset?)startedAt(reader, 4), (int)priority(reader, 5)!, reader.GetString(6)));
        return due;
    }

    /// <summary>The rank an announced burst takes: its priority while the customer waits for an answer, else 0.</summary>
    private const string Announce = "\"ReadyAnnounced\" = TRUE, \"RankedPriority\" = CASE WHEN \"AwaitingReplySince\" IS NULL THEN 0 ELSE \"Priority\" END";

    /// <summary>Marks the bursts announced and ranks them; returns those it marked, in the order given.</summary>
    public static async Task<List<Burst>> MarkAsync(ParleyDb db, List<Burst> due, CancellationToken ct)
    {
        if (!db.IsPostgres)
        {
            // SQLite: this transaction holds the only write lock since it began, so what it read is still true; one
            // statement keeps the lock as briefly as possible. (TRUE is 1 to SQLite, as EF Core stores a flag.)
            await using var command = await PlainCommand.OpenAsync(db, ct);
            var ids = due.Select(c => c.Id).ToList();
            await command.ExecuteAsync($"UPDATE \"Conversations\" SET {Announce} WHERE "
                + $"{command.In<Conversation, Guid>("\"Id\"", nameof(Conversation.Id), ids)} AND NOT \"ReadyAnnounced\"", ct);
            return due;
        }

        // PostgreSQL, in one round trip: locked first in key order, as the processor locks the conversations it read
        // (SnapshotReader), since updated in the order they came due the sweep and a processing batch each held a row
        // the other waited for, and PostgreSQL ended one of them (40P01) under load; then updated at once, each guarded
        // on the burst read: a message that arrived since moved ReadyAt on (its burst waits its own window), or was
        // complete on arrival and announced with it.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)(db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The sweep marks bursts inside its turn's transaction."));
        await using var batch = new NpgsqlBatch(connection, transaction);
        var keys = due.Select(c => c.Id).ToArray();
        var lockRows = new NpgsqlBatchCommand("SELECT 1 FROM \"Conversations\" WHERE \"Id\" = ANY($1) ORDER BY \"Id\" FOR UPDATE");
        lockRows.Parameters.Add(new NpgsqlParameter { Value = keys });
        var update = new NpgsqlBatchCommand($"UPDATE \"Conversations\" AS c SET {Announce} FROM unnest($1, $2) AS d(\"Id\", \"ReadyAt\") "
            + "WHERE c.\"Id\" = d.\"Id\" AND NOT c.\"ReadyAnnounced\" AND c.\"ReadyAt\" = d.\"ReadyAt\" RETURNING c.\"Id\"");
        update.Parameters.Add(new NpgsqlParameter { Value = keys });
        update.Parameters.Add(new NpgsqlParameter { Value = due.Select(c => c.ReadyAt!.Value).ToArray() });
        batch.BatchCommands.Add(lockRows);
        batch.BatchCommands.Add(update);
        var marked = new HashSet<Guid>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) { } // the lock's rows
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) marked.Add(reader.GetGuid(0));
        }
        return [.. due.Where(c => marked.Contains(c.Id))];
    }
}
