using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Platform.Events;

/// <summary>The envelope of every event, the same in the API, the streams and webhook deliveries.</summary>
/// <param name="DataVersion">The version of <paramref name="Data"/>'s schema (GET /api/v1/events/schema/{type}).</param>
/// <param name="BrandId">The brand the event belongs to; null for installation-wide events (apps, people, webhooks).</param>
/// <param name="Data">The type's data, as stored: written through verbatim, never parsed and serialized again.</param>
public sealed record EventDto(Guid Id, string Type, int DataVersion, DateTimeOffset OccurredAt, string Subject, Guid? BrandId,
    [property: JsonConverter(typeof(VerbatimJson))] string Data)
{
    public static EventDto From(Event e) => new(e.Id, e.Type, e.DataVersion, e.OccurredAt, e.Subject, e.BrandId, e.Data);
}

/// <summary>Writes a string that already holds JSON as that JSON. The log stores data it serialized itself, so
/// replay copies it instead of parsing it into a document and writing the document again.</summary>
public sealed class VerbatimJson : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value, skipInputValidation: true);
}

public sealed record EventPage(IReadOnlyList<EventDto> Items, Guid? NextCursor);
