using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Parley.Ingest;

/// <summary>One of the batch writer's statements on SQLite, prepared once per batch on the context's own connection and
/// run for each row with its values bound by position, through SQLite's own API (SQLitePCL.raw) rather than
/// <see cref="SqliteCommand"/>. Microsoft.Data.Sqlite looks every parameter up by name on every execution (the name
/// converted to UTF-8 and searched for in the statement) and allocates a reader, the UTF-8 text of every string and
/// two strings per GUID: that was a fifth of processing's time in a profile (docs/adr/0033). Values are bound
/// exactly as Microsoft.Data.Sqlite binds them (<see cref="TryPrepare"/> says for which columns;
/// <c>BatchWriterTests</c> compare every stored column with EF Core's).</summary>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly IReadOnlyList<RowShape.Column> _columns;
    /// <summary>Per column, the length text is cut to, as the parameter EF Core configures would cut it (-1: never).</summary>
    private readonly int[] _sizes;

    private SqliteRowStatement(sqlite3 db, sqlite3_stmt statement, IReadOnlyList<RowShape.Column> columns, int[] sizes)
    {
        _db = db;
        _statement = statement;
        _columns = columns;
        _sizes = sizes;
    }

    /// <summary>The statement prepared, or null when a column's values are of a type this does not bind (left to
    /// <see cref="SqliteCommand"/>). Bound here: text (a string, an enum stored as its name, JSON), an integer (a
    /// number, a flag, a time stored as binary) and a GUID stored as text; not a decimal or a GUID stored as a blob.</summary>
    public static SqliteRowStatement? TryPrepare(SqliteConnection connection, string sql, IReadOnlyList<RowShape.Column> columns)
    {
        using var command = connection.CreateCommand();
        var sizes = new int[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            sizes[i] = -1;
            if (c.Mapping is null) continue; // JSON text
            var type = c.Mapping.Converter?.ProviderClrType ?? c.Property!.ClrType;
            type = Nullable.GetUnderlyingType(type) ?? type;
            // The parameter as EF Core configures it: its SQLite type decides how a GUID is stored, and a size set on
            // it cuts text short (SqliteParameter.Size is the value's length, 0 for "", unless one was set).
            var parameter = (SqliteParameter)c.Mapping.CreateParameter(command, "$p", null, nullable: true);
            parameter.Value = type == typeof(Guid) ? Guid.Empty : "";
            if (type == typeof(string)) sizes[i] = parameter.Size == 0 ? -1 : parameter.Size;
            else if (type == typeof(Guid) ? parameter.SqliteType == SqliteType.Blob
                     : !(type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(bool)))
                return null;
        }
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        if (raw.sqlite3_bind_parameter_count(statement) != columns.Count)
        {
            statement.Dispose();
            throw new InvalidOperationException($"{sql} does not take {columns.Count} parameters.");
        }
        return new SqliteRowStatement(db, statement, columns, sizes);
    }

    /// <summary>Binds the row's values (as <see cref="RowShape.Column.Read"/> gives them) and runs the statement.</summary>
    /// <returns>The number of rows it changed.</returns>
    public int Run(object row)
    {
        try
        {
            for (var i = 0; i < _columns.Count; i++) Check(Bind(i + 1, _columns[i].Read(row), _sizes[i]));
            // Inside the write turn's transaction, which holds SQLite's write lock: a write is never busy here.
            Check(raw.sqlite3_step(_statement));
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private int Bind(int index, object value, int size) => value switch
    {
        DBNull => raw.sqlite3_bind_null(_statement, index),
        string text => SqliteBind.Text(_statement, index, size != -1 && text.Length > size ? text.AsSpan(0, size) : text),
        long number => raw.sqlite3_bind_int64(_statement, index, number),
        int number => raw.sqlite3_bind_int64(_statement, index, number),
        short number => raw.sqlite3_bind_int64(_statement, index, number),
        byte number => raw.sqlite3_bind_int64(_statement, index, number),
        bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
        Guid id => SqliteBind.Guid(_statement, index, id),
        _ => throw new NotSupportedException($"The batch writer cannot bind a {value.GetType().Name} (see SqliteRowStatement.TryPrepare)."),
    };

    private void Check(int rc) => SqliteBind.Check(rc, _db);

    public void Dispose() => _statement.Dispose();
}
