using System.Text.Json;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>Appends to the event log inside the caller's unit of work, so the event commits or
/// rolls back with the change it describes.</summary>
public static class EventLog
{
    public static Event Append(this ParleyDb db, string type, string subject, Guid? brandId, object data, DateTimeOffset at)
    {
        var e = new Event
        {
            Type = type,
            Subject = subject,
            BrandId = brandId,
            OccurredAt = at,
            Data = JsonSerializer.Serialize(data, JsonSerializerOptions.Web),
        };
        db.Events.Add(e);
        return e;
    }
}
