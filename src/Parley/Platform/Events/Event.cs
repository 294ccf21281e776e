using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>One entry in the ordered log of everything that changed. Written in the same
/// transaction as the change it describes.</summary>
public sealed class Event
{
    /// <summary>Insertion sequence. On SQLite (one writer) this is commit order.</summary>
    public long Seq { get; init; }
    /// <summary>PostgreSQL transaction id of the writer (0 on SQLite). Readers order by (Tx, Seq)
    /// and read only below the oldest transaction still in flight, so no late commit is skipped.</summary>
    public long Tx { get; init; }
    public Guid Id { get; init; } = GuidV7.New();
    public string Type { get; init; } = "";
    public DateTimeOffset OccurredAt { get; init; }
    /// <summary>What the event is about, e.g. "conversations/{id}".</summary>
    public string Subject { get; init; } = "";
    public Guid? BrandId { get; init; }
    /// <summary>The version of the data's schema in <see cref="EventCatalogue"/> when the event was written.</summary>
    public int DataVersion { get; init; } = 1;
    public string Data { get; init; } = "{}";
}
