using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>Reads rows by key straight into snapshots (<see cref="RowShape.Snapshot"/>'s layout: every property's CLR
/// value, by property index), with a plain ADO.NET command: no entity is made and no EF Core query runs. The write
/// turn's conflict check needs only the values, and materialising entities to snapshot them again was most of its
/// cost (docs/adr/0031). Columns, the reader method for each and its value conversion come from EF Core's model, the
/// way EF Core's own shaper reads them, so a snapshot read here equals one taken of an entity EF Core read.</summary>
internal sealed class SnapshotReader
{
    private static readonly ConcurrentDictionary<(IModel, Type), SnapshotReader> Readers = new();

    private readonly string _select;
    private readonly string _key;
    private readonly int _keyIndex;
    private readonly RelationalTypeMapping _keyMapping;
    /// <summary>For each property, by index: reads its column (at the same ordinal) as the CLR value, or null.</summary>
    private readonly Func<DbDataReader, int, object?>[] _columns;

    private SnapshotReader(IEntityType entity)
    {
        var properties = entity.GetProperties().OrderBy(p => p.GetIndex()).ToList();
        if (!properties.Select(p => p.GetIndex()).SequenceEqual(Enumerable.Range(0, properties.Count)))
            throw new NotSupportedException($"{entity.DisplayName()}'s property indexes are not 0..n-1.");
        var key = entity.FindPrimaryKey()!.Properties.Single();
        _key = $"\"{key.GetColumnName()}\"";
        _keyIndex = key.GetIndex();
        _keyMapping = key.GetRelationalTypeMapping();
        _select = $"SELECT {string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""))} FROM \"{entity.GetTableName()}\"";
        _columns = [.. properties.Select(PlainCommand.ColumnReader)];
    }

    /// <summary>Every mapped column of the table, in property-index order: <c>SELECT "A", "B", ... FROM "Table"</c>.</summary>
    public string Select => _select;

    private Func<MaterializationContext, object>? _materializer;

    /// <summary>The rows <paramref name="sql"/> reads (one or more statements each beginning with <see cref="Select"/>),
    /// made into entities as an EF Core query without tracking makes them: the values read as its shaper reads them
    /// and EF Core's own materializer for the entity type (its constructor binding, backing fields), with no query
    /// pipeline around them (docs/adr/0046).</summary>
    public async Task<List<T>> EntitiesAsync<T>(ParleyDb db, PlainCommand command, string sql, CancellationToken ct) where T : class
    {
        var materialize = _materializer ??= db.GetService<IStructuralTypeMaterializerSource>().GetMaterializer(db.Model.FindEntityType(typeof(T))!);
        var found = new List<T>();
        await using var reader = await command.ReadAsync(sql, ct);
        while (await reader.ReadAsync(ct))
        {
            var values = new object?[_columns.Length];
            for (var i = 0; i < values.Length; i++) values[i] = _columns[i](reader, i);
            found.Add((T)materialize(new MaterializationContext(new ValueBuffer(values), db)));
        }
        return found;
    }

    public static SnapshotReader Of<T>(DbContext db) =>
        Readers.GetOrAdd((db.Model, typeof(T)), static key => new SnapshotReader(key.Item1.FindEntityType(key.Item2)!));

    /// <summary>The rows with these keys as they are now, by key, inside the context's current transaction. On
    /// PostgreSQL the rows are locked until it ends (<c>FOR UPDATE</c>, in key order so that two writers cannot deadlock).</summary>
    public async Task<Dictionary<Guid, object?[]>> ReadAsync(ParleyDb db, IReadOnlyList<Guid> keys, CancellationToken ct)
    {
        var found = new Dictionary<Guid, object?[]>(keys.Count);
        if (keys.Count == 0) return found;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        // One parameter per key, each bound as EF Core binds the key (a GUID is upper-case text on SQLite): the text is
        // made here in a few microseconds, where EF Core's pipeline took far longer to make it again for every batch.
        var sql = new StringBuilder(_select.Length + 16 + keys.Count * 6).Append(_select).Append(" WHERE ").Append(_key).Append(" IN (");
        for (var i = 0; i < keys.Count; i++)
        {
            var name = db.IsPostgres ? "" : "$" + (i + 1);
            sql.Append(i == 0 ? "" : ", ").Append('$').Append(i + 1);
            object value = _keyMapping.Converter is { } c ? c.ConvertToProvider(keys[i])! : keys[i];
            command.Parameters.Add(_keyMapping.CreateParameter(command, name, value, nullable: false));
        }
        sql.Append(')');
        if (db.IsPostgres) sql.Append(" ORDER BY ").Append(_key).Append(" FOR UPDATE");
        command.CommandText = sql.ToString();

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var values = new object?[_columns.Length];
            for (var i = 0; i < values.Length; i++) values[i] = _columns[i](reader, i);
            found[(Guid)values[_keyIndex]!] = values;
        }
        return found;
    }
}
