using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>A statement the processor runs every batch, as a plain ADO.NET command on the context's connection (in its
/// transaction, if one is open) rather than an EF Core LINQ query: EF Core's pipeline (finding the query's cached SQL,
/// extracting its parameters, making its command) cost more than many of these statements themselves at the small
/// batches moderate rates make (docs/adr/0046). Values are bound and read through EF Core's model, with each property's
/// own type mapping and value converter, so they are exactly what EF Core binds and reads (a GUID as upper-case text and
/// a time as a binary integer on SQLite); an enum constant is written as EF Core's own SQL literal, so partial indexes
/// still match. Parameters are positional (<c>$1</c>, <c>$2</c>...) on both databases.</summary>
internal sealed class PlainCommand : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<(IModel, Type, string), Func<DbDataReader, int, object?>> Readers = new();
    private static readonly MethodInfo IsDbNull = typeof(DbDataReader).GetMethod(nameof(DbDataReader.IsDBNull), [typeof(int)])!;

    private readonly ParleyDb _db;
    private readonly DbCommand _command;

    private PlainCommand(ParleyDb db, DbCommand command)
    {
        _db = db;
        _command = command;
    }

    /// <summary>A command on the context's connection, opened if it is not (it then stays open with the context, as
    /// inside a transaction), in the context's current transaction.</summary>
    public static async Task<PlainCommand> OpenAsync(ParleyDb db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return new PlainCommand(db, command);
    }

    public bool IsPostgres => _db.IsPostgres;

    /// <summary>Adds <paramref name="value"/> bound as EF Core binds <typeparamref name="T"/>'s property
    /// <paramref name="property"/>; returns its placeholder.</summary>
    public string Value<T>(string property, object? value)
    {
        // The mapping converts the value itself (a time to its binary integer on SQLite), as EF Core's parameters do.
        var mapping = Property<T>(property).GetRelationalTypeMapping();
        return Add(mapping.CreateParameter(_command, Name(), value, nullable: value is null));
    }

    /// <summary>A condition that the column of <typeparamref name="T"/>'s <paramref name="property"/> is one of
    /// <paramref name="values"/>, with the list as one parameter whatever its length (as EF Core's <c>EF.Parameter</c>
    /// makes it, docs/adr/0031): <c>IN (SELECT value FROM json_each($n))</c> on SQLite, <c>= ANY($n)</c> on PostgreSQL.
    /// Each probes the column's index.</summary>
    public string In<T, TValue>(string column, string property, IReadOnlyCollection<TValue> values) where TValue : notnull
    {
        var mapping = Property<T>(property).GetRelationalTypeMapping();
        if (IsPostgres)
        {
            // Npgsql types the array by its element type (uuid[], bigint[], text[]); no conversion applies to these.
            if (mapping.Converter is not null) throw new NotSupportedException($"{typeof(T).Name}.{property} has a value converter.");
            var array = new Npgsql.NpgsqlParameter { ParameterName = "", Value = values.ToArray() };
            return $"{column} = ANY({Add(array)})";
        }
        // The JSON holds each value as SQLite stores it: a GUID as upper-case text, a number as a number.
        var stored = values.Select(v => (object?)(mapping.Converter is { } c ? c.ConvertToProvider(v) : v) switch
        {
            Guid id => id.ToString("D").ToUpperInvariant(),
            var other => other,
        }).ToList();
        var json = _command.CreateParameter();
        json.ParameterName = Name();
        json.Value = JsonSerializer.Serialize(stored);
        return $"{column} IN (SELECT value FROM json_each({Add(json)}))";
    }

    /// <summary>EF Core's SQL literal for a constant of <typeparamref name="T"/>'s <paramref name="property"/> (an enum
    /// stored as its name: <c>'Pending'</c>), as EF Core inlines constants.</summary>
    public string Literal<T>(string property, object value)
    {
        // The mapping converts the value itself (an enum to its name) before it writes the literal.
        return Property<T>(property).GetRelationalTypeMapping().GenerateSqlLiteral(value);
    }

    public async Task<DbDataReader> ReadAsync(string sql, CancellationToken ct)
    {
        _command.CommandText = sql;
        return await _command.ExecuteReaderAsync(ct);
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct)
    {
        _command.CommandText = sql;
        return await _command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Reads a column as EF Core reads <typeparamref name="T"/>'s <paramref name="property"/> (null when the
    /// column is NULL).</summary>
    public Func<DbDataReader, int, object?> Reader<T>(string property) =>
        Readers.GetOrAdd((_db.Model, typeof(T), property), static (key, p) => ColumnReader(p), Property<T>(property));

    private IProperty Property<T>(string name) =>
        _db.Model.FindEntityType(typeof(T))?.FindProperty(name) ?? throw new ArgumentException($"{typeof(T).Name} has no property {name}.");

    private string Name() => IsPostgres ? "" : "$" + (_command.Parameters.Count + 1);

    private string Add(DbParameter parameter)
    {
        _command.Parameters.Add(parameter);
        return "$" + _command.Parameters.Count;
    }

    /// <summary>Reads a column as EF Core's shaper does: the mapping's reader method, the mapping's own adjustment of
    /// what it returns, then the value converter, if any (an enum stored as text, a time as a binary integer).</summary>
    public static Func<DbDataReader, int, object?> ColumnReader(IProperty property)
    {
        var mapping = property.GetRelationalTypeMapping();
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var ordinal = Expression.Parameter(typeof(int), "ordinal");
        var method = mapping.GetDataReaderMethod();
        Expression value = Expression.Call(method.DeclaringType == typeof(DbDataReader) ? reader : Expression.Convert(reader, method.DeclaringType!), method, ordinal);
        value = mapping.CustomizeDataReaderExpression(value);
        var converter = mapping.Converter;
        var provider = converter?.ProviderClrType ?? mapping.ClrType;
        if (value.Type != provider) value = Expression.Convert(value, provider);
        if (converter is not null) value = Expression.Invoke(converter.ConvertFromProviderExpression, value);
        var body = Expression.Condition(Expression.Call(reader, IsDbNull, ordinal), Expression.Constant(null), Expression.Convert(value, typeof(object)));
        return Expression.Lambda<Func<DbDataReader, int, object?>>(body, reader, ordinal).Compile();
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
