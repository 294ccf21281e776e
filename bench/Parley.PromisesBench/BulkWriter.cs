using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Parley.Data;

namespace Parley.PromisesBench;

/// <summary>Writes many rows of one of Parley's entities as fast as each database takes them: binary COPY on
/// PostgreSQL, multi-row INSERTs in large transactions on SQLite. Columns and value conversions come from
/// Parley's EF Core model, so the rows are stored exactly as Parley itself would store them.</summary>
public static class BulkWriter
{
    public static async Task WriteAsync<T>(ParleyDb db, IReadOnlyList<T> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var table = entity.GetTableName()!;
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        // Owned JSON columns (a message's media) are left to their default (null).
        // Store-generated columns (identity sequences, SQL defaults) are left to the database.
        var columns = entity.GetProperties().Where(p => p.GetColumnName(store) is not null && p.GetDefaultValueSql() is null
            && !(p.IsPrimaryKey() && p.ClrType != typeof(Guid) && p.ValueGenerated == ValueGenerated.OnAdd)).ToList();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.Database.GetDbConnection() is NpgsqlConnection pg) await CopyAsync(pg, table, store, columns, rows, ct);
            else await InsertAsync(db, table, store, columns, rows, ct);
        }
        finally { await db.Database.CloseConnectionAsync(); }
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, StoreObjectIdentifier store, List<IProperty> columns,
        IReadOnlyList<T> rows, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => $"\"{c.GetColumnName(store)}\""));
        var types = columns.Select(c => StripModifier(c.GetColumnType())).ToArray();
        var converters = columns.Select(c => c.GetTypeMapping().Converter).ToArray();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY \"{table}\" ({names}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            for (var i = 0; i < columns.Count; i++)
            {
                var value = columns[i].GetGetter().GetClrValueUsingContainingEntity(row!);
                if (value is not null && converters[i] is { } converter) value = converter.ConvertToProvider(value);
                if (value is null) await importer.WriteNullAsync(ct);
                else await importer.WriteAsync(value, types[i], ct);
            }
        }
        await importer.CompleteAsync(ct);
    }

    private static string StripModifier(string type) => type.IndexOf('(') is var i and > 0 ? type[..i] : type;

    /// <remarks>One prepared single-row INSERT, run for every row in one transaction: SQLite binds parameters by
    /// name with a linear search, so one statement of many rows would cost the square of its parameters.</remarks>
    private static async Task InsertAsync<T>(ParleyDb db, string table, StoreObjectIdentifier store, List<IProperty> columns,
        IReadOnlyList<T> rows, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => $"\"{c.GetColumnName(store)}\""));
        var mappings = columns.Select(c => c.GetRelationalTypeMapping()).ToArray();
        var getters = columns.Select(c => c.GetGetter()).ToArray();
        var parameterNames = columns.Select((_, i) => $"@v{i}").ToArray();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = tx.GetDbTransaction();
        command.CommandText = $"INSERT INTO \"{table}\" ({names}) VALUES ({string.Join(", ", parameterNames)})";
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            for (var i = 0; i < columns.Count; i++)
                command.Parameters.Add(mappings[i].CreateParameter(command, parameterNames[i], getters[i].GetClrValueUsingContainingEntity(row!), columns[i].IsNullable));
            await command.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}
