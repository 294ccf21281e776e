using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace Parley.Ingest;

/// <summary>Writes raw deliveries in one transaction on a connection of its own, with prepared
/// plain ADO.NET commands: the ingest writer's hot path. EF Core did the same at twice the cost
/// per row (change tracking, command building for every batch); the rows here are as EF Core
/// would write them (same columns, same value conversions), and everything else reads them
/// through EF Core.</summary>
public sealed class RawDeliveryStore(bool postgres, string connectionString) : IAsyncDisposable
{
    // Columns as the model maps them: Guid as upper-case text and DateTimeOffset as a sortable
    // integer on SQLite (SqliteParleyDb), enums as their names on both.
    private const string Insert = """
        INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Body", "Status", "Error", "UnhandledCount", "MessageCount")
        VALUES ($1, $2, $3, $4, $5, $6, 0, 0) RETURNING "Id"
        """;

    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private DbConnection? _connection;
    private SqliteCommand? _sqliteInsert;

    /// <summary>Stores <paramref name="batch"/> in one transaction and fills in each row's id.</summary>
    /// <exception cref="DbException">Nothing was stored (the transaction rolled back); the connection is reset.</exception>
    public async Task StoreAsync(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct)
    {
        try
        {
            if (postgres) await StorePostgresAsync(batch, ids, ct);
            else await StoreSqliteAsync(batch, ids, ct);
        }
        catch
        {
            // Whatever state the connection is in, the next batch starts on a fresh one.
            await ResetAsync();
            throw;
        }
    }

    private async Task StoreSqliteAsync(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct)
    {
        var connection = (SqliteConnection)await OpenAsync(ct);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        var insert = _sqliteInsert ??= PrepareSqlite(connection);
        insert.Transaction = tx;
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            insert.Parameters[0].Value = e.ChannelId;
            insert.Parameters[1].Value = e.Source;
            insert.Parameters[2].Value = SqliteTime.ConvertToProvider(e.ReceivedAt);
            insert.Parameters[3].Value = e.Body;
            insert.Parameters[4].Value = e.Status.ToString();
            insert.Parameters[5].Value = (object?)e.Error ?? DBNull.Value;
            ids[i] = (long)(await insert.ExecuteScalarAsync(ct))!;
        }
        await tx.CommitAsync(ct);
    }

    private static SqliteCommand PrepareSqlite(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = Insert;
        for (var i = 1; i <= 6; i++) command.Parameters.Add(new SqliteParameter("$" + i, null));
        command.Prepare();
        return command;
    }

    private async Task StorePostgresAsync(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // One round trip for the whole batch; each INSERT returns its own id.
        await using var command = new NpgsqlBatch(connection, tx);
        foreach (var e in batch)
        {
            var insert = new NpgsqlBatchCommand(Insert);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = e.ChannelId, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Source, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = e.ReceivedAt.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = e.Body, NpgsqlDbType = NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Status.ToString(), NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)e.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.BatchCommands.Add(insert);
        }
        // Every command in the batch is the same statement: prepared, PostgreSQL parses and plans it once per
        // connection instead of once per row (Npgsql keeps it prepared on this long-lived connection, so after
        // the first batch this costs no round trip).
        await command.PrepareAsync(ct);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            var i = 0;
            do
            {
                while (await reader.ReadAsync(ct)) ids[i++] = reader.GetInt64(0);
            } while (await reader.NextResultAsync(ct));
            if (i != batch.Count) throw new InvalidOperationException($"Stored {i} deliveries of {batch.Count}.");
        }
        await tx.CommitAsync(ct);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_connection is { State: System.Data.ConnectionState.Open }) return _connection;
        await ResetAsync();
        DbConnection connection = postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        Data.SqliteBusyTimeout.Apply(connection);
        // This connection never checkpoints inside its own commits: a checkpoint copies the WAL's pages
        // into the database file and flushes it, several milliseconds that every acknowledgement waiting
        // for that commit would wait too. CheckpointAsync does it on another connection meanwhile.
        if (connection is SqliteConnection { Handle: { } handle }) SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, 0);
        _connection = connection;
        return connection;
    }

    /// <summary>True when the store's commits leave checkpointing to <see cref="CheckpointAsync"/> (SQLite).</summary>
    public bool NeedsCheckpoints => !postgres;

    /// <summary>Copies what the WAL holds into the SQLite database file, on a connection of its own, while
    /// commits go on (a passive checkpoint takes no write lock). Without it the WAL would only be
    /// checkpointed by other connections' commits, at SQLite's usual 1,000 pages.</summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        if (postgres) return;
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        Data.SqliteBusyTimeout.Apply(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task ResetAsync()
    {
        if (_sqliteInsert is not null) await _sqliteInsert.DisposeAsync();
        _sqliteInsert = null;
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }

    public async ValueTask DisposeAsync() => await ResetAsync();
}
