using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Parley.Ingest;

/// <summary>Writes raw deliveries in one transaction on a connection of its own, with a statement prepared
/// once (SQLite's own calls; an Npgsql batch): the ingest writer's hot path. EF Core did the same at twice the cost
/// per row (change tracking, command building for every batch); the rows here are as EF Core
/// would write them (same columns, same value conversions; the event's row and its body's row in "InboundBodies",
/// as EF Core writes the entity split over two tables, docs/adr/0036), and everything else reads them
/// through EF Core. On SQLite it also keeps the WAL bounded (see <see cref="CheckpointWhenDue"/>).</summary>
public sealed partial class RawDeliveryStore(bool postgres, string connectionString, ILogger? log = null) : IAsyncDisposable
{
    // Columns as the model maps them: Guid as upper-case text and DateTimeOffset as a sortable
    // integer on SQLite (SqliteParleyDb), enums as their names on both.
    // The event and its body in one statement: the body's row takes the id the event's row was given.
    private const string Insert = """
        WITH e AS (
            INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount")
            VALUES ($1, $2, $3, $5, $6, 0, 0) RETURNING "Id")
        INSERT INTO "InboundBodies" ("Id", "Body") SELECT "Id", $4 FROM e RETURNING "Id"
        """;

    // The same rows on SQLite, two statements; the body's id is the rowid SQLite just assigned to the event.
    private const string SqliteInsert = """
        INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount")
        VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)
        """;

    private const string SqliteInsertBody = """
        INSERT INTO "InboundBodies" ("Id", "Body") VALUES (?1, ?2)
        """;

    /// <summary>Rows committed between two background checkpoints on SQLite: about a megabyte of WAL,
    /// well under the 1,000 pages at which another connection's commit would checkpoint inline.</summary>
    private const int CheckpointEvery = 256;

    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private DbConnection? _connection;
    private sqlite3_stmt? _sqliteInsert;
    private sqlite3_stmt? _sqliteInsertBody;
    private int _sinceCheckpoint;
    private static readonly Task<bool> NoCheckpoint = Task.FromResult(false);
    private Task<bool> _checkpoint = NoCheckpoint;

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
        var started = Stopwatch.GetTimestamp();
        await FinishCheckpointAsync(connection);
        var piece = ProcessingMetrics.StoreStep("checkpoint", started);
        using (var tx = connection.BeginTransaction())
        {
            // BEGIN IMMEDIATE: waits here while a writer outside the WriteGate (the API, a sweep) holds SQLite's lock.
            piece = ProcessingMetrics.StoreStep("begin", piece);
            var db = connection.Handle!;
            var insert = _sqliteInsert ??= PrepareSqlite(db, SqliteInsert);
            var insertBody = _sqliteInsertBody ??= PrepareSqlite(db, SqliteInsertBody);
            for (var i = 0; i < batch.Count; i++) ids[i] = InsertSqlite(db, insert, insertBody, batch[i]);
            piece = ProcessingMetrics.StoreStep("insert", piece);
            tx.Commit();
            ProcessingMetrics.StoreStep("commit", piece);
        }
        ProcessingMetrics.StoreStep("store", started);
        CheckpointWhenDue(batch.Count);
    }

    /// <summary>One delivery (its event's row, then its body's) through SQLite's own calls on statements prepared once
    /// per connection. Microsoft.Data.Sqlite costs about as much again per row as SQLite's insert itself (a data reader,
    /// each parameter looked up by name, strings encoded to fresh arrays); here nothing is allocated and each value is
    /// bound by position.</summary>
    private static long InsertSqlite(sqlite3 db, sqlite3_stmt insert, sqlite3_stmt insertBody, InboundEvent e)
    {
        long id;
        try
        {
            Check(SqliteBind.Guid(insert, 1, e.ChannelId), db);
            Check(SqliteBind.Text(insert, 2, e.Source), db);
            Check(raw.sqlite3_bind_int64(insert, 3, SqliteTime.ConvertToProviderTyped(e.ReceivedAt)), db);
            Check(SqliteBind.Text(insert, 4, e.Status.ToString()), db);
            Check(e.Error is null ? raw.sqlite3_bind_null(insert, 5) : SqliteBind.Text(insert, 5, e.Error), db);
            Step(insert, db);
            id = raw.sqlite3_last_insert_rowid(db);
        }
        finally
        {
            raw.sqlite3_reset(insert);
            raw.sqlite3_clear_bindings(insert);
        }
        try
        {
            Check(raw.sqlite3_bind_int64(insertBody, 1, id), db);
            Check(e.Body.Length == 0 ? raw.sqlite3_bind_zeroblob(insertBody, 2, 0) : raw.sqlite3_bind_blob(insertBody, 2, e.Body), db);
            Step(insertBody, db);
            return id;
        }
        finally
        {
            raw.sqlite3_reset(insertBody);
            raw.sqlite3_clear_bindings(insertBody);
        }
    }

    private static void Step(sqlite3_stmt statement, sqlite3 db)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE) Check(rc, db);
    }

    private static sqlite3_stmt PrepareSqlite(sqlite3 db, string sql)
    {
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        return statement;
    }

    private static void Check(int rc, sqlite3 db) => SqliteBind.Check(rc, db);

    private async Task StorePostgresAsync(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)await OpenAsync(ct);
        var started = Stopwatch.GetTimestamp();
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
        var piece = ProcessingMetrics.StoreStep("insert", started);
        await tx.CommitAsync(ct);
        ProcessingMetrics.StoreStep("commit", piece);
        ProcessingMetrics.StoreStep("store", started);
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

    /// <summary>Starts a background checkpoint when enough has been committed and none is running, so
    /// commits (and the acknowledgements waiting for them) never carry one. See docs/adr/0024.</summary>
    private void CheckpointWhenDue(int committed)
    {
        _sinceCheckpoint += committed;
        if (_sinceCheckpoint < CheckpointEvery || !_checkpoint.IsCompleted) return;
        _sinceCheckpoint = 0;
        _checkpoint = Task.Run(async () =>
        {
            try { return await CheckpointAsync(CancellationToken.None); }
            catch (Exception e)
            {
                if (log is not null) LogCheckpointFailed(log, e);
                return false;
            }
        });
    }

    /// <summary>Copies what the WAL holds into the SQLite database file, on a connection of its own, while
    /// commits go on (a passive checkpoint takes no write lock).</summary>
    /// <returns>True when it copied every frame the WAL held as it started.</returns>
    private async Task<bool> CheckpointAsync(CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        Data.SqliteBusyTimeout.Apply(connection);
        return Data.WalCheckpoints.Passive(connection);
    }

    /// <summary>SQLite writes the WAL from its start again only once a checkpoint has copied all of it, and the
    /// background checkpoint never has: commits append while it runs. So the WAL grew by every row stored (400 MB
    /// in 20 s of ingest), and a commit that grows a file costs its flush more than one that overwrites it. When
    /// a background checkpoint has copied what it found, this copies the few commits made meanwhile, here,
    /// between two commits of the only writer (the caller holds the WriteGate): the WAL is then all copied and
    /// the next commit starts it over. Skipped when the background one was held back (a long reader).</summary>
    private async Task FinishCheckpointAsync(SqliteConnection connection)
    {
        if (!_checkpoint.IsCompleted) return;
        var caughtUp = await _checkpoint;
        _checkpoint = NoCheckpoint;
        if (!caughtUp) return;
        try { Data.WalCheckpoints.Passive(connection); }
        catch (SqliteException e)
        {
            // Only tidiness was lost: the WAL goes on growing until a later checkpoint catches up.
            if (log is not null) LogCheckpointFailed(log, e);
        }
    }

    /// <summary>Waits for a background checkpoint still running (at shutdown).</summary>
    public Task WhenCheckpointedAsync() => _checkpoint;

    private async Task ResetAsync()
    {
        _sqliteInsert?.Dispose();
        _sqliteInsert = null;
        _sqliteInsertBody?.Dispose();
        _sqliteInsertBody = null;
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _checkpoint;
        await ResetAsync();
    }

    [LoggerMessage(LogLevel.Warning, "A background WAL checkpoint failed; the next one, or another connection's commit, will catch up.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception e);
}
