using System.Text.Json;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>Appends to the event log inside the caller's unit of work, so the event commits or
/// rolls back with the change it describes.</summary>
public static class EventLog
{
    /// <summary>Appends an event whose data is serialized from <typeparamref name="TData"/>. A catalogued type
    /// must come with the record the catalogue names for it: a mismatch is a programming error, found by the
    /// tests, never a silently different shape in the published log.</summary>
    public static Event Append<TData>(this ParleyDb db, string type, string subject, Guid? brandId, TData data, DateTimeOffset at)
        where TData : notnull
    {
        var e = Create(type, subject, brandId, data, at);
        db.Events.Add(e);
        return e;
    }

    /// <summary>The event <see cref="Append"/> adds, for a writer that stores it itself in the same transaction as the
    /// change (the inbound processor's batch writer, docs/adr/0027).</summary>
    public static Event Create<TData>(string type, string subject, Guid? brandId, TData data, DateTimeOffset at)
        where TData : notnull
    {
        var catalogued = EventCatalogue.Find(type);
        if (catalogued is not null && catalogued.DataType != data.GetType())
            throw new InvalidOperationException($"Event type {type} carries {catalogued.DataType.Name} (EventCatalogue), not {data.GetType().Name}.");
        return new Event
        {
            Type = type,
            Subject = subject,
            BrandId = brandId,
            OccurredAt = at,
            DataVersion = catalogued?.Version ?? 1,
            Data = JsonSerializer.Serialize(data, data.GetType(), JsonSerializerOptions.Web),
        };
    }
}
