using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using NpgsqlTypes;

namespace Parley.Ingest;

/// <summary>How EF Core's model stores one entity type: its table, and for each column the property it holds and the
/// type mapping EF Core binds it with (so a GUID, an enum, a time or a decimal is stored exactly as EF Core stores it
/// on each database: upper-case text GUIDs and binary times on SQLite). Built once per model, from the model, so a
/// new property is written without anyone remembering to add it here (docs/adr/0027).</summary>
internal sealed class RowShape
{
    /// <summary>One column: a scalar property, or an owned collection stored as JSON (a message's media).</summary>
    public sealed record Column(string Name, IProperty? Property, INavigation? Json, RelationalTypeMapping? Mapping)
    {
        public object Read(object entity) => Property is not null
            ? ToProvider(Property.GetGetter().GetClrValue(entity))
            // EF Core writes an owned JSON collection with its properties' own names, as System.Text.Json does by default.
            : JsonSerializer.Serialize(Json!.GetGetter().GetClrValue(entity), Json.ClrType);

        private object ToProvider(object? value) =>
            value is null ? DBNull.Value : Mapping!.Converter is { } c ? c.ConvertToProvider(value) ?? DBNull.Value : value;

        /// <summary>PostgreSQL: the column's values in <paramref name="rows"/>, as one array of the column's type (for
        /// <see cref="InsertManySql"/>), typed as EF Core types the column's parameter.</summary>
        public Npgsql.NpgsqlParameter Values<T>(List<T> rows) where T : class
        {
            var type = Property is null ? typeof(string) : Mapping!.Converter?.ProviderClrType ?? Property.ClrType;
            if (type.IsValueType && Nullable.GetUnderlyingType(type) is null && Property!.IsNullable) type = typeof(Nullable<>).MakeGenericType(type);
            var values = Array.CreateInstance(type, rows.Count);
            for (var i = 0; i < rows.Count; i++)
                if (Read(rows[i]) is var value and not DBNull) values.SetValue(value, i);
            using var command = new Npgsql.NpgsqlCommand();
            var element = Mapping is null ? NpgsqlDbType.Jsonb
                : ((Npgsql.NpgsqlParameter)Mapping.CreateParameter(command, "", null, Property!.IsNullable)).NpgsqlDbType;
            var parameter = new Npgsql.NpgsqlParameter { Value = values };
            // Unknown: the array's CLR type says it (uuid[], text[], integer[]...), as the value alone says it for one row.
            if (element != NpgsqlDbType.Unknown) parameter.NpgsqlDbType = NpgsqlDbType.Array | element;
            return parameter;
        }

        /// <summary>A parameter bound as EF Core binds this column, holding <paramref name="value"/> (already converted).</summary>
        public DbParameter Parameter(DbCommand command, string name, object value)
        {
            if (Mapping is null)
            {
                // The JSON column: jsonb on PostgreSQL, text on SQLite.
                var json = command.CreateParameter();
                json.ParameterName = name;
                json.Value = value;
                if (json is Npgsql.NpgsqlParameter npgsql) npgsql.NpgsqlDbType = NpgsqlDbType.Jsonb;
                return json;
            }
            // The mapping sets the provider's type (NpgsqlDbType, SqliteType); the value is converted already.
            var parameter = Mapping.CreateParameter(command, name, null, Property!.IsNullable);
            parameter.Value = value;
            return parameter;
        }
    }

    private static readonly ConcurrentDictionary<(IModel, Type), RowShape> Shapes = new();

    public string Table { get; }
    /// <summary>Every column an INSERT writes (not those the database fills in: a sequence, a default).</summary>
    public IReadOnlyList<Column> Inserted { get; }
    public Column Key { get; }
    private readonly IReadOnlyList<Column> _all;
    /// <summary>The scalar properties, in the order of their index (<see cref="IPropertyBase.GetIndex"/>).</summary>
    private readonly IReadOnlyList<IProperty> _properties;
    private readonly ConcurrentDictionary<ulong, (IReadOnlyList<Column> Set, string Sql)> _updates = new();

    private RowShape(IEntityType entity)
    {
        Table = $"\"{entity.GetTableName()}\"";
        var columns = new List<Column>();
        foreach (var p in entity.GetProperties())
        {
            if (p.IsShadowProperty()) throw new NotSupportedException($"{entity.DisplayName()}.{p.Name} is a shadow property: the batch writer cannot read it.");
            columns.Add(new Column(p.GetColumnName(), p, null, p.GetRelationalTypeMapping()));
        }
        foreach (var n in entity.GetNavigations())
            if (n.TargetEntityType.IsMappedToJson())
                columns.Add(new Column(n.TargetEntityType.GetContainerColumnName()!, null, n, null));
        if (entity.GetProperties().Count() > 64) throw new NotSupportedException($"{entity.DisplayName()} has more than 64 properties.");
        _all = columns;
        _properties = [.. entity.GetProperties().OrderBy(p => p.GetIndex())];
        if (_properties.Select(p => p.GetIndex()).SequenceEqual(Enumerable.Range(0, _properties.Count)) is false)
            throw new NotSupportedException($"{entity.DisplayName()}'s property indexes are not 0..n-1.");
        Key = columns.Single(c => c.Property?.IsPrimaryKey() == true);
        Inserted = [.. columns.Where(c => c.Property is null || !StoreGenerated(c.Property))];
        var names = string.Join(", ", Inserted.Select(c => $"\"{c.Name}\""));
        InsertSql = $"INSERT INTO {Table} ({names}) VALUES ({string.Join(", ", Inserted.Select((_, i) => "$" + (i + 1)))})";
        var values = string.Join(", ", Inserted.Select((_, i) => "v" + (i + 1)));
        InsertManySql = $"INSERT INTO {Table} ({names}) SELECT {values} FROM unnest({string.Join(", ", Inserted.Select((_, i) => "$" + (i + 1)))}) "
            + $"WITH ORDINALITY AS u({values}, ordinal) ORDER BY ordinal";
    }

    public static RowShape Of<T>(DbContext db) =>
        Shapes.GetOrAdd((db.Model, typeof(T)), static key => new RowShape(key.Item1.FindEntityType(key.Item2)!));

    /// <summary>INSERT with positional parameters $1.. in the order of <see cref="Inserted"/>.</summary>
    public string InsertSql { get; }

    /// <summary>PostgreSQL: INSERT of many rows, parameter $n an array of the values of the n-th column of
    /// <see cref="Inserted"/>, in the arrays' order (sorted by position, so the defaults, the event log's sequence
    /// among them, are drawn in that order).</summary>
    public string InsertManySql { get; }

    /// <summary>Values the database fills in: an identity key (the event log's sequence) or a default (its
    /// PostgreSQL transaction id). GUID keys are made by the application.</summary>
    private static bool StoreGenerated(IProperty p) =>
        p.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && (p.GetDefaultValueSql() is not null || (p.IsPrimaryKey() && p.ClrType != typeof(Guid)));

    /// <summary>The columns of the properties an update changes (as a bit set over the properties), and the key.</summary>
    public (IReadOnlyList<Column> Set, string Sql) Update(ulong changed) => _updates.GetOrAdd(changed, static (changed, shape) =>
    {
        List<Column> set = [.. shape._all.Where(c => c.Property is not null && (changed & Bit(c.Property)) != 0)];
        var assignments = string.Join(", ", set.Select((c, i) => $"\"{c.Name}\" = ${i + 1}"));
        return (set, $"UPDATE {shape.Table} SET {assignments} WHERE \"{shape.Key.Name}\" = ${set.Count + 1}");
    }, this);

    /// <summary>The values of every property of <paramref name="entity"/> (CLR values, as EF Core's snapshots hold them).</summary>
    public object?[] Snapshot(object entity)
    {
        var values = new object?[_properties.Count];
        for (var i = 0; i < values.Length; i++) values[i] = _properties[i].GetGetter().GetClrValue(entity);
        return values;
    }

    /// <summary>The properties whose values differ between two snapshots, as the bit set <see cref="Update"/> takes.</summary>
    /// <param name="ignored">Properties not compared (as a bit set).</param>
    public ulong Changed(object?[] before, object?[] after, ulong ignored = 0)
    {
        ulong changed = 0;
        for (var i = 0; i < before.Length; i++)
            if (!Equals(before[i], after[i])) changed |= Bit(_properties[i]);
        return changed & ~ignored;
    }

    /// <summary>The bits of the named properties.</summary>
    public ulong Bits(IEnumerable<string> names) => names.Aggregate(0UL, (bits, name) => bits | Bit(_properties.Single(p => p.Name == name)));

    /// <summary>The property's bit in the set an update changes (entity types here have fewer than 64 properties).</summary>
    public static ulong Bit(IProperty p) => 1UL << p.GetIndex();
}
