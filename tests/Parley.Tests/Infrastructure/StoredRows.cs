using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Parley.Tests.Infrastructure;

/// <summary>Every column of every row of a table as the database holds it (types and values as the provider reads
/// them, bytes in hex): for tests that hold a writer which bypasses EF Core to exactly the rows EF Core writes.</summary>
public static class StoredRows
{
    public static Task<List<string>> ReadAsync(TestParley parley, string table, string orderBy, string where = "", params string[] skip) =>
        parley.WithDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" {(where.Length > 0 ? "WHERE " + where + " " : "")}ORDER BY \"{orderBy}\"";
            var rows = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new List<string>();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (skip.Contains(reader.GetName(i))) continue;
                    var value = reader.IsDBNull(i) ? "NULL"
                        : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes)
                        : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                    row.Add($"{reader.GetName(i)}={reader.GetFieldType(i).Name}:{value}");
                }
                rows.Add(string.Join(" | ", row));
            }
            return rows;
        });
}
