using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Parley.Ingest;

/// <summary>Writes raw deliveries in one transaction on a connection of its own, with a statement prepared
/// once (SQLite's own calls; on PostgreSQL one statement over arrays for the whole batch, docs/adr/0044): the ingest writer's hot path. EF Core did the same at twice the cost
/// per row (change tracking, command building for every batch); the rows here are as EF Core
/// would write them (same columns, same value conversions; the event's row and its body's row in "InboundBodies",
/// as EF Core writes the entity split over two tables, docs/adr/0036), and everything else reads them
/// through EF Core. On SQLite it also keeps the WAL bounded (see <see cref="CheckpointWhenDue"/>).</summary>
public sealed partial class RawDeliveryStore(bool postgres, string connectionString, ILogger? log = null) : IAsyncDisposable
{
    // Columns as the model maps them: Guid as upper-case text and DateTimeOffset as a sortable
    // integer on SQLite (SqliteParleyDb), enums as their names on both.
    // PostgreSQL: the whole batch in one statement, each column an array. Every row takes its id from the table's
    // identity sequence (in the arrays' order), and both rows (the event's and its body's) are written with it; the ids
    // come back in the arrays' order. {sequence} is the sequence's name, looked up once per connection.
    private const string PostgresInsert = """
        WITH v AS (
            SELECT nextval('{sequence}') AS "Id", u.*
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::bytea[], $5::text[], $6::text[])
                WITH ORDINALITY AS u("ChannelId", "Source", "ReceivedAt", "Body", "Status", "Error", "Position")
            ORDER BY "Position"),
        e AS (
            INSERT INTO "InboundEvents" ("Id", "ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount")
            SELECT "Id", "ChannelId", "Source", "ReceivedAt", "Status", "Error", 0, 0 FROM v),
        b AS (
            INSERT INTO "InboundBodies" ("Id", "Body") SELECT "Id", "Body" FROM v)
        SELECT "Id" FROM v ORDER BY "Position"
        """;

    // The same rows on SQLite, two statements; the body's id is the rowid SQLite just assigned to the event.
    private const string SqliteInsert = """
        INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount")
        VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)
        """;

    // The ingest journal's rows keep the ids the journal gave them when it acknowledged them (docs/adr/0045).
    private const string SqliteInsertWithId = """
        INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount", "Id")
        VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6)
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
    private sqlite3_stmt? _sqliteInsertWithId;
    private NpgsqlCommand? _postgresInsert;
    private int _sinceCheckpoint;
    private static readonly Task<bool> NoCheckpoint = Task.FromResult(false);
    private Task<bool> _checkpoint = NoCheckpoint;

    /// <summary>Stores <paramref name="batch"/> in one transaction and fills in each row's id, on the calling thread
    /// (the ingest writer's own, docs/adr/0044): SQLite's calls are synchronous anyway, and PostgreSQL's round trip
    /// blocks this thread instead of hopping through the thread pool.</summary>
    /// <exception cref="DbException">Nothing was stored (the transaction rolled back); the connection is reset.</exception>
    public void Store(IReadOnlyList<InboundEvent> batch, long[] ids)
    {
        try
        {
            if (postgres) StorePostgres(batch, ids);
            else StoreSqlite(batch, ids);
        }
        catch
        {
            // Whatever state the connection is in, the next batch starts on a fresh one.
            Reset();
            throw;
        }
    }

    /// <summary><see cref="Store"/>, for callers that await (the benchmarks' micro line, tests); it completes before it returns.</summary>
    public Task StoreAsync(IReadOnlyList<InboundEvent> batch, long[] ids, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Store(batch, ids);
        return Task.CompletedTask;
    }

    /// <summary>Stores deliveries the ingest journal acknowledged, with the ids it gave them (<see cref="InboundEvent.Id"/>),
    /// in one transaction: SQLite only (docs/adr/0045).</summary>
    /// <exception cref="DbException">Nothing was stored; the connection is reset.</exception>
    public void StoreJournalled(IReadOnlyList<InboundEvent> batch)
    {
        if (postgres) throw new NotSupportedException("The ingest journal runs on SQLite only (docs/adr/0045).");
        try
        {
            StoreSqlite(batch, null);
        }
        catch
        {
            Reset();
            throw;
        }
    }

    /// <summary>The highest id SQLite has ever given an inbound delivery (AUTOINCREMENT's record of it, so rows deleted
    /// since still count), or the highest stored: what the ingest journal's ids must stay above.</summary>
    public long HighestId()
    {
        if (postgres) throw new NotSupportedException("The ingest journal runs on SQLite only (docs/adr/0045).");
        var connection = (SqliteConnection)Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT MAX(COALESCE((SELECT "seq" FROM "sqlite_sequence" WHERE "name" = 'InboundEvents'), 0),
                       COALESCE((SELECT MAX("Id") FROM "InboundEvents"), 0))
            """;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The highest id stored at or below <paramref name="upTo"/> (0: none): how far the database already holds a
    /// run of the journal's deliveries that ends at <paramref name="upTo"/>, whatever rows far above it a benchmark wrote.</summary>
    public long HighestIdUpTo(long upTo)
    {
        if (postgres) throw new NotSupportedException("The ingest journal runs on SQLite only (docs/adr/0045).");
        var connection = (SqliteConnection)Open();
        using var command = connection.CreateCommand();
        command.CommandText = """SELECT COALESCE(MAX("Id"), 0) FROM "InboundEvents" WHERE "Id" <= $upTo""";
        command.Parameters.AddWithValue("$upTo", upTo);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <param name="ids">Filled in with the ids SQLite gives; null to insert each event's own <see cref="InboundEvent.Id"/>.</param>
    private void StoreSqlite(IReadOnlyList<InboundEvent> batch, long[]? ids)
    {
        var connection = (SqliteConnection)Open();
        var started = Stopwatch.GetTimestamp();
        FinishCheckpoint(connection);
        var piece = ProcessingMetrics.StoreStep("checkpoint", started);
        using (var tx = connection.BeginTransaction())
        {
            // BEGIN IMMEDIATE: waits here while a writer outside the WriteGate (the API, a sweep) holds SQLite's lock.
            piece = ProcessingMetrics.StoreStep("begin", piece);
            var db = connection.Handle!;
            var insert = ids is null ? _sqliteInsertWithId ??= PrepareSqlite(db, SqliteInsertWithId) : _sqliteInsert ??= PrepareSqlite(db, SqliteInsert);
            var insertBody = _sqliteInsertBody ??= PrepareSqlite(db, SqliteInsertBody);
            for (var i = 0; i < batch.Count; i++)
            {
                var id = InsertSqlite(db, insert, insertBody, batch[i], withId: ids is null);
                if (ids is not null) ids[i] = id;
            }
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
    private static long InsertSqlite(sqlite3 db, sqlite3_stmt insert, sqlite3_stmt insertBody, InboundEvent e, bool withId)
    {
        long id;
        try
        {
            Check(SqliteBind.Guid(insert, 1, e.ChannelId), db);
            Check(SqliteBind.Text(insert, 2, e.Source), db);
            Check(raw.sqlite3_bind_int64(insert, 3, SqliteTime.ConvertToProviderTyped(e.ReceivedAt)), db);
            Check(SqliteBind.Text(insert, 4, e.Status.ToString()), db);
            Check(e.Error is null ? raw.sqlite3_bind_null(insert, 5) : SqliteBind.Text(insert, 5, e.Error), db);
            if (withId) Check(raw.sqlite3_bind_int64(insert, 6, e.Id), db);
            SqliteBind.Step(insert, db);
            id = raw.sqlite3_last_insert_rowid(db);
        }
        finally
        {
            raw.sqlite3_reset(insert);
            raw.sqlite3_clear_bindings(insert);
        }
        SqliteBind.InsertBody(insertBody, db, id, e.Body);
        return id;
    }

    private static sqlite3_stmt PrepareSqlite(sqlite3 db, string sql)
    {
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        return statement;
    }

    private static void Check(int rc, sqlite3 db) => SqliteBind.Check(rc, db);

    private void StorePostgres(IReadOnlyList<InboundEvent> batch, long[] ids)
    {
        var connection = (NpgsqlConnection)Open();
        var started = Stopwatch.GetTimestamp();
        using var tx = connection.BeginTransaction();
        var n = batch.Count;
        var channels = new Guid[n];
        var sources = new string[n];
        var times = new DateTimeOffset[n];
        var bodies = new byte[n][];
        var statuses = new string[n];
        var errors = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var e = batch[i];
            (channels[i], sources[i], times[i], bodies[i], statuses[i], errors[i]) =
                (e.ChannelId, e.Source, e.ReceivedAt.ToUniversalTime(), e.Body, e.Status.ToString(), e.Error);
        }
        var insert = _postgresInsert ??= PreparePostgres(connection);
        insert.Transaction = tx;
        var values = insert.Parameters;
        ((NpgsqlParameter<Guid[]>)values[0]).TypedValue = channels;
        ((NpgsqlParameter<string[]>)values[1]).TypedValue = sources;
        ((NpgsqlParameter<DateTimeOffset[]>)values[2]).TypedValue = times;
        ((NpgsqlParameter<byte[][]>)values[3]).TypedValue = bodies;
        ((NpgsqlParameter<string[]>)values[4]).TypedValue = statuses;
        ((NpgsqlParameter<string?[]>)values[5]).TypedValue = errors;
        using (var reader = insert.ExecuteReader())
        {
            var i = 0;
            while (reader.Read()) ids[i++] = reader.GetInt64(0);
            if (i != n) throw new InvalidOperationException($"Stored {i} deliveries of {n}.");
        }
        var piece = ProcessingMetrics.StoreStep("insert", started);
        tx.Commit();
        ProcessingMetrics.StoreStep("commit", piece);
        ProcessingMetrics.StoreStep("store", started);
    }

    /// <summary>The batch's statement, prepared on this connection: PostgreSQL parses and plans it once, and one
    /// statement a batch costs its server less than a statement a row (docs/adr/0044).</summary>
    private static NpgsqlCommand PreparePostgres(NpgsqlConnection connection)
    {
        string sequence;
        using (var lookup = new NpgsqlCommand("""SELECT pg_get_serial_sequence('"InboundEvents"', 'Id')""", connection))
            sequence = (string)lookup.ExecuteScalar()!;
        var insert = new NpgsqlCommand(PostgresInsert.Replace("{sequence}", sequence.Replace("'", "''"), StringComparison.Ordinal), connection);
        insert.Parameters.Add(new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Prepare();
        return insert;
    }

    /// <summary>The PostgreSQL server process behind this store's connection, for the benchmarks to read its CPU time;
    /// null on SQLite or before the first batch.</summary>
    internal int? PostgresBackend => _connection is NpgsqlConnection { State: System.Data.ConnectionState.Open } c ? c.ProcessID : null;

    private DbConnection Open()
    {
        if (_connection is { State: System.Data.ConnectionState.Open }) return _connection;
        Reset();
        DbConnection connection = postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        connection.Open();
        Data.SqliteBusyTimeout.Apply(connection);
        // This connection never checkpoints inside its own commits: a checkpoint copies the WAL's pages
        // into the database file and flushes it, several milliseconds that every acknowledgement waiting
        // for that commit would wait too. Checkpoint does it on another connection meanwhile.
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
        // On a thread of its own: the checkpoint's copy and flush block for milliseconds, and on the thread pool they took
        // one of the two cores' workers from the requests meanwhile (docs/adr/0044).
        _checkpoint = Task.Factory.StartNew(() =>
        {
            try { return Checkpoint(); }
            catch (Exception e)
            {
                if (log is not null) LogCheckpointFailed(log, e);
                return false;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Copies what the WAL holds into the SQLite database file, on a connection of its own, while
    /// commits go on (a passive checkpoint takes no write lock). Once it has copied what it found, it copies what
    /// was committed meanwhile, again, until a pass finds nothing new (or after <see cref="CatchUpPasses"/>): what
    /// is then left for the writer's finishing step (<see cref="FinishCheckpoint"/>) is usually nothing, so that step
    /// no longer copies pages and flushes the database file on the acknowledgement path (docs/adr/0044).</summary>
    /// <returns>True when its last pass copied every frame the WAL held as that pass started.</returns>
    private bool Checkpoint()
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        Data.SqliteBusyTimeout.Apply(connection);
        long framesBefore = -1;
        for (var pass = 0; pass < CatchUpPasses; pass++)
        {
            var (copiedAll, frames) = Data.WalCheckpoints.Passive(connection);
            if (!copiedAll) return false;
            if (frames == framesBefore) return true;
            framesBefore = frames;
        }
        return true;
    }

    /// <summary>Passes of the background checkpoint: the first copies ~256 rows' pages, each later one what was
    /// committed while the one before ran, a fraction of it.</summary>
    private const int CatchUpPasses = 4;

    /// <summary>SQLite writes the WAL from its start again only once a checkpoint has copied all of it, and the
    /// background checkpoint never has: commits append while it runs. So the WAL grew by every row stored (400 MB
    /// in 20 s of ingest), and a commit that grows a file costs its flush more than one that overwrites it. When
    /// a background checkpoint has copied what it found, this copies the few commits made meanwhile, here,
    /// between two commits of the only writer (the caller holds the WriteGate): the WAL is then all copied and
    /// the next commit starts it over. Skipped when the background one was held back (a long reader).</summary>
    private void FinishCheckpoint(SqliteConnection connection)
    {
        if (!_checkpoint.IsCompleted) return;
        var caughtUp = _checkpoint.Result;
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
    /// <returns>False when the last one was held back (another connection reading or checkpointing) and did not copy
    /// all of the WAL, so the next commit does not start it over.</returns>
    public Task<bool> WhenCheckpointedAsync() => _checkpoint;

    private void Reset()
    {
        _sqliteInsert?.Dispose();
        _sqliteInsert = null;
        _sqliteInsertBody?.Dispose();
        _sqliteInsertBody = null;
        _sqliteInsertWithId?.Dispose();
        _sqliteInsertWithId = null;
        _postgresInsert?.Dispose();
        _postgresInsert = null;
        _connection?.Dispose();
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _checkpoint;
        Reset();
    }

    [LoggerMessage(LogLevel.Warning, "A background WAL checkpoint failed; the next one, or another connection's commit, will catch up.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception e);
}
