using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>A page of the log read straight from a <see cref="DbDataReader"/>, one row at a time, in commit order.
/// Replay writes each row into the response as it is read (no entity, no list, no copy of the data); the followers
/// make <see cref="Event"/>s of them. The one query in commit order (ADR 4) lives here.</summary>
public sealed class EventRows : IAsyncDisposable
{
    private const int SeqColumn = 0, TxColumn = 1, IdColumn = 2, TypeColumn = 3, OccurredAtColumn = 4,
        SubjectColumn = 5, BrandIdColumn = 6, DataVersionColumn = 7, DataColumn = 8;
    private const string Columns = """ "Seq", "Tx", "Id", "Type", "OccurredAt", "Subject", "BrandId", "DataVersion", "Data" """;

    // One writer on SQLite: sequence order is commit order.
    private const string SqliteQuery = "SELECT" + Columns + """FROM "Events" WHERE "Seq" > @seq ORDER BY "Seq" LIMIT @limit""";

    // A sequence value is not commit order on PostgreSQL: a transaction that took a lower value
    // may commit later. Read only what was written by transactions older than the oldest one
    // still in flight, in (transaction, sequence) order; that prefix can no longer change.
    // A row comparison, not "Tx > x OR (Tx = x AND Seq > y)": PostgreSQL turns it into one range scan of the
    // (Tx, Seq) index, where the OR form read the log from the start of the transaction at every page.
    private const string PostgresQuery = "SELECT" + Columns + """
        FROM "Events"
        WHERE ("Tx", "Seq") > (@tx, @seq)
          AND "Tx" < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
        ORDER BY "Tx", "Seq"
        LIMIT @limit
        """;

    private readonly ParleyDb _db;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private readonly Func<long, DateTimeOffset>? _instantFromColumn;

    private EventRows(ParleyDb db, DbCommand command, DbDataReader reader, Func<long, DateTimeOffset>? instantFromColumn) =>
        (_db, _command, _reader, _instantFromColumn) = (db, command, reader, instantFromColumn);

    /// <summary>Runs the query for at most <paramref name="limit"/> events after <paramref name="after"/>, on the
    /// context's connection (and its transaction, when one is open).</summary>
    public static async Task<EventRows> OpenAsync(ParleyDb db, EventReader.Position after, int limit, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var command = db.Database.GetDbConnection().CreateCommand();
        try
        {
            command.CommandText = db.IsPostgres ? PostgresQuery : SqliteQuery;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
            Add(command, "@tx", after.Tx);
            Add(command, "@seq", after.Seq);
            Add(command, "@limit", (long)limit);
            var reader = await command.ExecuteReaderAsync(ct);
            return new EventRows(db, command, reader, InstantConversion(db));
        }
        catch
        {
            await command.DisposeAsync();
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    public Task<bool> ReadAsync(CancellationToken ct) => _reader.ReadAsync(ct);

    public long Seq => _reader.GetInt64(SeqColumn);
    public long Tx => _reader.GetInt64(TxColumn);
    public EventReader.Position Position => new(Tx, Seq);
    public Guid Id => _reader.GetGuid(IdColumn);
    public string Type => _reader.GetString(TypeColumn);
    public string Subject => _reader.GetString(SubjectColumn);
    public Guid? BrandId => _reader.IsDBNull(BrandIdColumn) ? null : _reader.GetGuid(BrandIdColumn);
    public int DataVersion => _reader.GetInt32(DataVersionColumn);
    /// <summary>The stored JSON, as written by <see cref="EventLog"/>.</summary>
    public string Data => _reader.GetString(DataColumn);

    public DateTimeOffset OccurredAt => _instantFromColumn is { } convert
        ? convert(_reader.GetInt64(OccurredAtColumn))
        : _reader.GetFieldValue<DateTimeOffset>(OccurredAtColumn);

    public Event ToEvent() => new()
    {
        Seq = Seq, Tx = Tx, Id = Id, Type = Type, OccurredAt = OccurredAt, Subject = Subject,
        BrandId = BrandId, DataVersion = DataVersion, Data = Data,
    };

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _command.DisposeAsync();
        await _db.Database.CloseConnectionAsync();
    }

    private static void Add(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>How the model stores <see cref="Event.OccurredAt"/>: SQLite has no date type and keeps it as a number
    /// (a converter in <see cref="SqliteParleyDb"/>); taken from the model so the two cannot drift apart.</summary>
    private static Func<long, DateTimeOffset>? InstantConversion(ParleyDb db) =>
        db.Model.FindEntityType(typeof(Event))!.FindProperty(nameof(Event.OccurredAt))!.GetTypeMapping().Converter switch
        {
            null => null,
            ValueConverter<DateTimeOffset, long> converter => converter.ConvertFromProviderTyped,
            var other => throw new NotSupportedException($"Events.OccurredAt is stored through {other.GetType().Name}, which replay does not read."),
        };
}
