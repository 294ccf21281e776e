using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Parley.Data;

/// <summary>Many small statements about one entity's table in a single command (one round trip), inside the
/// context's current transaction. Values are bound through the model's own type mappings, so a GUID, an enum or
/// a time is stored exactly as EF Core stores it on each database (text GUIDs and binary times on SQLite).</summary>
internal sealed class BatchCommand<TEntity> : IAsyncDisposable
{
    private readonly IEntityType _entity;
    private readonly DbCommand _command;
    private readonly StringBuilder _sql = new();
    private int _n;

    public BatchCommand(ParleyDb db)
    {
        _entity = db.Model.FindEntityType(typeof(TEntity))!;
        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
    }

    public string Table => $"\"{_entity.GetTableName()}\"";

    public string Column(string property) => $"\"{_entity.FindProperty(property)!.GetColumnName()}\"";

    /// <summary>A parameter holding <paramref name="value"/> as the column of <paramref name="property"/> stores it.</summary>
    public string Value(string property, object? value)
    {
        var p = _entity.FindProperty(property)!;
        var name = $"@b{_n++}";
        _command.Parameters.Add(p.GetRelationalTypeMapping().CreateParameter(_command, name, value, p.IsNullable));
        return name;
    }

    public BatchCommand<TEntity> Append(string sql)
    {
        _sql.Append(sql);
        return this;
    }

    public bool IsEmpty => _sql.Length == 0;

    public async Task<int> ExecuteAsync(CancellationToken ct)
    {
        _command.CommandText = _sql.ToString();
        return await _command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs the statements and collects the first column of every row any of them returns.</summary>
    public async Task<List<T>> ReturningAsync<T>(Func<DbDataReader, T> read, CancellationToken ct)
    {
        _command.CommandText = _sql.ToString();
        var result = new List<T>();
        await using var reader = await _command.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct)) result.Add(read(reader));
        } while (await reader.NextResultAsync(ct));
        return result;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
