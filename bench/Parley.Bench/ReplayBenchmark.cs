using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Parley.Conversations;
using Parley.Platform.Events;

namespace Parley.Bench;

/// <summary>Issue 6's replay target: a long event log read from the start over the API
/// (GET /api/v1/events?after=&amp;limit=) against the same rows read straight through ADO.NET, in one run on the same
/// machine, so the ratio says what the API costs. The log is seeded with raw inserts (a prepared INSERT in one
/// transaction on SQLite, binary COPY on PostgreSQL), not through Parley, so seeding takes seconds.</summary>
public static class ReplayBenchmark
{
    public static async Task<int> RunAsync(BenchOptions o)
    {
        Say($"Parley replay benchmark: {Environment.ProcessorCount} cores, load average {LoadAverage()}; database {o.Database}, "
            + $"{o.Events:N0} events, pages of {o.Page}.");
        await using var parley = await ParleyUnderTest.StartAsync(o.IsPostgres ? o.Postgres : null);
        var connection = await parley.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()!));

        var started = Stopwatch.GetTimestamp();
        if (o.IsPostgres) await SeedPostgresAsync(connection, o.Events);
        else await SeedSqliteAsync(connection, o.Events);
        Say($"seeded {o.Events:N0} events in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        var (direct, directBytes) = await TimeAsync(() => ReadDirectAsync(connection, o.IsPostgres));
        Say($"ADO.NET baseline: {direct.Count:N0} events in {direct.Seconds:F2} s = {direct.Rate:N0} events/s ({directBytes / 1_048_576.0:F0} MB of data)");
        var (reader, _) = await TimeAsync(() => ReadThroughEventReaderAsync(parley, o.Page));
        Say($"EventReader (DbDataReader, in process, no HTTP): {reader.Count:N0} events in {reader.Seconds:F2} s = {reader.Rate:N0} events/s");
        var parse = new Stopwatch();
        var (api, apiBytes) = await TimeAsync(() => ReplayOverApiAsync(parley, o.Page, parse));
        Say($"API replay:       {api.Count:N0} events in {api.Seconds:F2} s = {api.Rate:N0} events/s ({apiBytes / 1_048_576.0:F0} MB of JSON; "
            + $"{parse.Elapsed.TotalSeconds:F2} s of it the client parsing pages)");
        Say($"API / ADO.NET: {api.Rate / direct.Rate:P0}; target 50,000 events/s: {(api.Rate >= 50_000 ? "met" : "not met")}; "
            + $"load average after the run {LoadAverage()}");
        return api.Count >= o.Events && direct.Count >= o.Events ? 0 : 1;
    }

    private sealed record Measured(long Count, double Seconds)
    {
        public double Rate => Count / Seconds;
    }

    private static async Task<(Measured, long)> TimeAsync(Func<Task<(long Count, long Bytes)>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var (count, bytes) = await run();
        return (new Measured(count, Stopwatch.GetElapsedTime(started).TotalSeconds), bytes);
    }

    /// <summary>The server's own read path without HTTP and JSON: what the endpoint costs on top of it.</summary>
    private static async Task<(long, long)> ReadThroughEventReaderAsync(ParleyUnderTest parley, int page)
    {
        long count = 0;
        var position = EventReader.Position.Start;
        while (true)
        {
            var batch = await parley.WithDbAsync(db => EventReader.ReadAfterAsync(db, position, page, CancellationToken.None));
            if (batch.Count == 0) return (count, 0);
            count += batch.Count;
            position = EventReader.Position.Of(batch[^1]);
        }
    }

    /// <summary>Pages through the whole log as an app would, reading each page's items and cursor.</summary>
    private static async Task<(long, long)> ReplayOverApiAsync(ParleyUnderTest parley, int page, Stopwatch parse)
    {
        long count = 0, bytes = 0;
        string? cursor = null;
        while (true)
        {
            using var response = await parley.Api.GetAsync($"/api/v1/events?limit={page}" + (cursor is null ? "" : "&after=" + cursor), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            bytes += body.Length;
            parse.Start();
            using var json = JsonDocument.Parse(body);
            var items = json.RootElement.GetProperty("items").GetArrayLength();
            var next = json.RootElement.GetProperty("nextCursor").GetString();
            parse.Stop();
            count += items;
            if (items == 0 || next == cursor) return (count, bytes);
            cursor = next;
        }
    }

    /// <summary>The same rows in the same order, every column read, straight from the database.</summary>
    private static async Task<(long, long)> ReadDirectAsync(string connectionString, bool postgres)
    {
        await using DbConnection connection = postgres ? new NpgsqlConnection(connectionString) : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = postgres
            ? """SELECT "Seq", "Tx", "Id", "Type", "OccurredAt", "Subject", "BrandId", "Data", "DataVersion" FROM "Events" ORDER BY "Tx", "Seq" """
            : """SELECT "Seq", "Tx", "Id", "Type", "OccurredAt", "Subject", "BrandId", "Data", "DataVersion" FROM "Events" ORDER BY "Seq" """;
        await using var reader = await command.ExecuteReaderAsync();
        var fromBinary = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertFromProviderTyped;
        long count = 0, bytes = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt64(0) + reader.GetInt64(1);
            _ = reader.GetGuid(2);
            _ = reader.GetString(3);
            _ = postgres ? reader.GetFieldValue<DateTimeOffset>(4) : fromBinary(reader.GetInt64(4));
            _ = reader.GetString(5);
            _ = reader.IsDBNull(6) ? (Guid?)null : reader.GetGuid(6);
            bytes += reader.GetString(7).Length;
            _ = reader.GetInt32(8);
            count++;
        }
        return (count, bytes);
    }

    /// <summary>Realistic rows: a conversation's state change, as Parley writes it (about 400 bytes of data).</summary>
    private static IEnumerable<(Guid Id, string Type, DateTimeOffset At, string Subject, Guid Brand, string Data)> Rows(int n)
    {
        var brand = Guid.CreateVersion7();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        string[] types = ["conversation.acknowledged", "conversation.resolved", "conversation.reopened", "conversation.waiting_on_customer"];
        for (var i = 0; i < n; i++)
        {
            var conversation = Guid.CreateVersion7();
            var at = start.AddMilliseconds(i * 2.5);
            var data = new ConversationEventData(conversation, "open", "acknowledged", "Maria Lopez", at, null, null,
                new EventActor(EventActor.Person, Guid.CreateVersion7(), "Maria Lopez"));
            yield return (Guid.CreateVersion7(), types[i % types.Length], at, $"conversations/{conversation}", brand,
                JsonSerializer.Serialize(data, JsonSerializerOptions.Web));
        }
    }

    private static async Task SeedSqliteAsync(string connectionString, int n)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)tx;
        // Guids and instants in the text forms EF Core's SQLite provider writes and reads.
        // OccurredAt as the number SqliteParleyDb's DateTimeOffsetToBinaryConverter stores (not text: EF Core reads an INTEGER).
        insert.CommandText = """INSERT INTO "Events" ("Tx", "Id", "Type", "OccurredAt", "Subject", "BrandId", "Data", "DataVersion") VALUES (0, $id, $type, $at, $subject, $brand, $data, 1)""";
        var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
        var type = insert.Parameters.Add("$type", Microsoft.Data.Sqlite.SqliteType.Text);
        var at = insert.Parameters.Add("$at", Microsoft.Data.Sqlite.SqliteType.Integer);
        var toBinary = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertToProviderTyped;
        var subject = insert.Parameters.Add("$subject", Microsoft.Data.Sqlite.SqliteType.Text);
        var brand = insert.Parameters.Add("$brand", Microsoft.Data.Sqlite.SqliteType.Text);
        var data = insert.Parameters.Add("$data", Microsoft.Data.Sqlite.SqliteType.Text);
        insert.Prepare();
        foreach (var row in Rows(n))
        {
            id.Value = row.Id.ToString().ToUpperInvariant();
            type.Value = row.Type;
            at.Value = toBinary(row.At);
            subject.Value = row.Subject;
            brand.Value = row.Brand.ToString().ToUpperInvariant();
            data.Value = row.Data;
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    private static async Task SeedPostgresAsync(string connectionString, int n)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            """COPY "Events" ("Id", "Type", "OccurredAt", "Subject", "BrandId", "Data", "DataVersion") FROM STDIN (FORMAT BINARY)"""))
        {
            foreach (var row in Rows(n))
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(row.Type, NpgsqlDbType.Text);
                await copy.WriteAsync(row.At, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(row.Subject, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Brand, NpgsqlDbType.Uuid);
                await copy.WriteAsync(row.Data, NpgsqlDbType.Text);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("""ANALYZE "Events" """, connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Say(string line) => Console.WriteLine(line);
}
