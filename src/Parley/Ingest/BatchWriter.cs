using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Ingest;

/// <summary>Writes what a prepared batch made, inside the caller's transaction, with plain ADO.NET commands rather
/// than EF Core's <c>SaveChanges</c>, which generated SQL and prepared a statement for every row (SQLite takes one
/// statement per command): about half of processing's CPU (docs/adr/0027-processing-writes-through-prepared-commands.md).
/// On SQLite each statement is prepared once per batch and run for every row, its values bound by position through
/// SQLite's own API (docs/adr/0033); on PostgreSQL the whole write is one
/// batch of statements, one round trip. Columns and value conversions come from EF Core's model (<see cref="RowShape"/>),
/// so the rows are exactly those EF Core would write.</summary>
internal static class BatchWriter
{
    /// <summary>Inserts <paramref name="rows"/> (parents before children, events in the order they happened), then
    /// updates the rows the batch read (<paramref name="read"/>) that the batch changed, only in the columns it changed, as
    /// EF Core would. Anything the context tracks as changed (nothing, today) is left to <c>SaveChanges</c>.</summary>
    /// <exception cref="InvalidOperationException">An update found no row: nothing may be committed.</exception>
    public static async Task WriteAsync(ParleyDb db, ProcessedRows rows, ReadRows read, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The batch writer runs inside the write turn's transaction.");
        await using RowStatements statements = connection is NpgsqlConnection npgsql
            ? new PostgresStatements(npgsql, (NpgsqlTransaction)transaction)
            : new SqliteStatements((SqliteConnection)connection, (SqliteTransaction)transaction);

        Insert(statements, RowShape.Of<Contact>(db), rows.Contacts);
        Insert(statements, RowShape.Of<ContactIdentity>(db), rows.Identities);
        Insert(statements, RowShape.Of<Conversation>(db), rows.Conversations);
        Insert(statements, RowShape.Of<Message>(db), rows.Messages);
        Insert(statements, RowShape.Of<Event>(db), rows.Events);

        Update(statements, RowShape.Of<Conversation>(db), read.Conversations, read);
        Update(statements, RowShape.Of<ContactIdentity>(db), read.Identities, read);
        await statements.RunAsync(ct);
        // Nothing else is tracked as changed today; should something be, EF Core writes it as before.
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
    }

    private static void Update<T>(RowStatements statements, RowShape shape, List<T> rows, ReadRows read) where T : class
    {
        foreach (var row in rows)
        {
            var changed = shape.Changed(read.Original(row), shape.Snapshot(row));
            if (changed == 0) continue;
            var (set, sql) = shape.Update(changed);
            statements.Update(sql, set, shape.Key, row);
        }
    }

    private static void Insert<T>(RowStatements statements, RowShape shape, List<T> rows) where T : class
    {
        if (rows.Count > 0) statements.Insert(shape, rows);
    }

    /// <summary>Runs row statements on one database.</summary>
    private abstract class RowStatements : IAsyncDisposable
    {
        /// <summary>Inserts the rows, in their order (the event log's sequence follows it).</summary>
        public abstract void Insert<T>(RowShape shape, List<T> rows) where T : class;
        /// <summary>Sets <paramref name="set"/> on the row with the key; exactly one row must change.</summary>
        public abstract void Update(string sql, IReadOnlyList<RowShape.Column> set, RowShape.Column key, object row);
        public abstract Task RunAsync(CancellationToken ct);
        public abstract ValueTask DisposeAsync();
    }

    /// <summary>SQLite: each statement prepared once and run at once for each row (SQLite runs in-process, so a round
    /// trip costs nothing; preparing the statement again is what costs), its values bound by position through SQLite's
    /// own API (<see cref="SqliteRowStatement"/>, docs/adr/0033), or through <see cref="SqliteCommand"/> for a table
    /// with a column that does not bind.</summary>
    private sealed class SqliteStatements(SqliteConnection connection, SqliteTransaction transaction) : RowStatements
    {
        private readonly Dictionary<string, Func<object, int>> _prepared = [];
        private readonly List<IDisposable> _statements = [];

        public override void Insert<T>(RowShape shape, List<T> rows)
        {
            foreach (var row in rows) Run(shape.InsertSql, shape.Inserted, null, row);
        }

        public override void Update(string sql, IReadOnlyList<RowShape.Column> set, RowShape.Column key, object row)
        {
            if (Run(sql, set, key, row) != 1) throw new InvalidOperationException($"An update of {sql[..sql.IndexOf(" SET", StringComparison.Ordinal)]} found no row.");
        }

        private int Run(string sql, IReadOnlyList<RowShape.Column> columns, RowShape.Column? key, object row)
        {
            if (!_prepared.TryGetValue(sql, out var run)) _prepared[sql] = run = Prepare(sql, key is null ? columns : [.. columns, key]);
            return run(row);
        }

        private Func<object, int> Prepare(string sql, IReadOnlyList<RowShape.Column> columns)
        {
            if (SqliteRowStatement.TryPrepare(connection, sql, columns) is { } statement)
            {
                _statements.Add(statement);
                return statement.Run;
            }
            var command = connection.CreateCommand();
            _statements.Add(command);
            command.CommandText = sql;
            command.Transaction = transaction;
            for (var i = 0; i < columns.Count; i++) command.Parameters.Add(columns[i].Parameter(command, "$" + (i + 1), DBNull.Value));
            command.Prepare();
            return row =>
            {
                for (var i = 0; i < columns.Count; i++) command.Parameters[i].Value = columns[i].Read(row);
                // Microsoft.Data.Sqlite runs commands synchronously whichever method is called.
                return command.ExecuteNonQuery();
            };
        }

        public override Task RunAsync(CancellationToken ct) => Task.CompletedTask;

        public override ValueTask DisposeAsync()
        {
            foreach (var statement in _statements) statement.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>PostgreSQL: one statement per table for the inserts, its values one array per column (unnest), and
    /// one per changed row for the updates, all in one batch sent in one round trip when the batch runs. A statement
    /// per inserted row cost a batch command and a parameter object per value (docs/adr/0033).</summary>
    private sealed class PostgresStatements(NpgsqlConnection connection, NpgsqlTransaction transaction) : RowStatements
    {
        private readonly NpgsqlBatch _batch = new(connection, transaction);
        /// <summary>Only creates parameters (the type mappings want a command); never run.</summary>
        private readonly NpgsqlCommand _factory = connection.CreateCommand();
        private readonly List<NpgsqlBatchCommand> _updates = [];

        public override void Insert<T>(RowShape shape, List<T> rows)
        {
            var command = new NpgsqlBatchCommand(shape.InsertManySql);
            foreach (var column in shape.Inserted) command.Parameters.Add(column.Values(rows));
            _batch.BatchCommands.Add(command);
        }

        public override void Update(string sql, IReadOnlyList<RowShape.Column> set, RowShape.Column key, object row) =>
            _updates.Add(Add(sql, set, key, row));

        private NpgsqlBatchCommand Add(string sql, IReadOnlyList<RowShape.Column> columns, RowShape.Column? key, object row)
        {
            var command = new NpgsqlBatchCommand(sql);
            // Positional ($1, $2, ...): parameters without names.
            foreach (var column in columns) command.Parameters.Add((NpgsqlParameter)column.Parameter(_factory, "", column.Read(row)));
            if (key is not null) command.Parameters.Add((NpgsqlParameter)key.Parameter(_factory, "", key.Read(row)));
            _batch.BatchCommands.Add(command);
            return command;
        }

        public override async Task RunAsync(CancellationToken ct)
        {
            if (_batch.BatchCommands.Count == 0) return;
            await _batch.ExecuteNonQueryAsync(ct);
            foreach (var update in _updates)
                if (update.RecordsAffected != 1) throw new InvalidOperationException($"An update ({update.CommandText}) found no row.");
        }

        public override async ValueTask DisposeAsync()
        {
            await _batch.DisposeAsync();
            await _factory.DisposeAsync();
        }
    }
}
