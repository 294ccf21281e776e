using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SQLitePCL;

namespace Parley.Ingest.Journal;

/// <summary>Inserts deliveries the processor took straight from the ingest journal (docs/adr/0048) inside its write
/// turn's transaction: each delivery's row with the journal's id and its final status, counts and processing time, and
/// its body's row, through SQLite's own calls on statements prepared once per batch, bound as
/// <see cref="RawDeliveryStore"/> binds them (the same columns EF Core writes; the body in "InboundBodies", docs/adr/0036).</summary>
internal static class ProcessedJournalRows
{
    private const string InsertEvent = """
        INSERT INTO "InboundEvents" ("Id", "ChannelId", "Source", "ReceivedAt", "Status", "Error", "UnhandledCount", "MessageCount", "ProcessedAt")
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """;

    private const string InsertBody = """
        INSERT INTO "InboundBodies" ("Id", "Body") VALUES (?1, ?2)
        """;

    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    /// <summary>One row as it is inserted: the delivery, and what processing made of it (null: it was not processed, as
    /// a quarantined body is not, and is stored as it was acknowledged).</summary>
    public readonly record struct Row(InboundEvent Event, DeliveryOutcome? Outcome);

    public static void Insert(SqliteConnection connection, IReadOnlyList<Row> rows, DateTimeOffset processedAt)
    {
        if (rows.Count == 0) return;
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteBind.Check(raw.sqlite3_prepare_v2(db, InsertEvent, out var insert), db);
        using var _ = insert;
        SqliteBind.Check(raw.sqlite3_prepare_v2(db, InsertBody, out var insertBody), db);
        using var __ = insertBody;
        var processed = SqliteTime.ConvertToProviderTyped(processedAt);
        foreach (var (e, outcome) in rows)
        {
            try
            {
                Check(raw.sqlite3_bind_int64(insert, 1, e.Id), db);
                Check(SqliteBind.Guid(insert, 2, e.ChannelId), db);
                Check(SqliteBind.Text(insert, 3, e.Source), db);
                Check(raw.sqlite3_bind_int64(insert, 4, SqliteTime.ConvertToProviderTyped(e.ReceivedAt)), db);
                Check(SqliteBind.Text(insert, 5, (outcome?.Status ?? e.Status).ToString()), db);
                var error = outcome?.Error ?? e.Error;
                Check(error is null ? raw.sqlite3_bind_null(insert, 6) : SqliteBind.Text(insert, 6, error.Length <= 1000 ? error : error[..1000]), db);
                Check(raw.sqlite3_bind_int64(insert, 7, outcome?.Unhandled ?? 0), db);
                Check(raw.sqlite3_bind_int64(insert, 8, outcome?.Added ?? 0), db);
                Check(outcome is null ? raw.sqlite3_bind_null(insert, 9) : raw.sqlite3_bind_int64(insert, 9, processed), db);
                SqliteBind.Step(insert, db);
            }
            finally
            {
                raw.sqlite3_reset(insert);
                raw.sqlite3_clear_bindings(insert);
            }
            SqliteBind.InsertBody(insertBody, db, e.Id, e.Body);
        }
    }

    private static void Check(int rc, sqlite3 db) => SqliteBind.Check(rc, db);
}
