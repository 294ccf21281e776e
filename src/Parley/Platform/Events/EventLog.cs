using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>Appends to the event log inside the caller's unit of work, so the event commits or
/// rolls back with the change it describes.</summary>
public static class EventLog
{
    /// <summary>The source-generated metadata of each catalogued data record (<see cref="EventDataJson"/>).</summary>
    private static readonly FrozenDictionary<Type, JsonTypeInfo> Json = EventCatalogue.All.Select(t => t.DataType).Distinct()
        .Select(t => (Type: t, Info: EventDataJson.Default.GetTypeInfo(t)))
        .Where(t => t.Info is not null).ToFrozenDictionary(t => t.Type, t => t.Info!);

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
            Data = Serialize(data),
        };
    }

    /// <summary>The event data as the log stores it: camelCase JSON (<see cref="JsonSerializerOptions.Web"/>), through
    /// source-generated metadata for a catalogued record and by reflection for anything else.</summary>
    internal static string Serialize(object data) => Json.TryGetValue(data.GetType(), out var info)
        ? JsonSerializer.Serialize(data, info)
        : JsonSerializer.Serialize(data, data.GetType(), JsonSerializerOptions.Web);
}
