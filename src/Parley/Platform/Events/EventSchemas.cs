using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Parley.Platform.Events;

/// <summary>The JSON Schemas of the event catalogue, generated from the records events are serialized from
/// (System.Text.Json's JsonSchemaExporter, so no schema is written by hand). Built once: the catalogue is fixed
/// at compile time.</summary>
public static class EventSchemas
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    // The log's serializer settings, with nullability and constructor parameters made explicit for the schema.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerOptions.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly JsonSchemaExporterOptions Exporter = new() { TreatNullObliviousAsNonNullable = true };

    private static readonly Lazy<Dictionary<string, JsonObject>> ByType = new(() =>
        EventCatalogue.All.ToDictionary(t => t.Name, Describe, StringComparer.Ordinal));

    /// <summary>GET /api/v1/events/schema: every type, and the envelope with <c>data</c> left open.</summary>
    public static JsonObject Catalogue => new()
    {
        ["envelope"] = Envelope(null, null),
        ["types"] = new JsonArray([.. EventCatalogue.All.Select(t => (JsonNode)ByType.Value[t.Name].DeepClone())]),
    };

    /// <summary>GET /api/v1/events/schema/{type}; null for a type Parley does not write.</summary>
    public static JsonObject? Of(string type) => ByType.Value.TryGetValue(type, out var found) ? (JsonObject)found.DeepClone() : null;

    /// <summary>The schema of one type's data alone, e.g. for a test that validates what was written.</summary>
    public static JsonNode DataSchema(Type dataType) => JsonSchemaExporter.GetJsonSchemaAsNode(Options, dataType, Exporter);

    private static JsonObject Describe(EventType t)
    {
        var data = DataSchema(t.DataType);
        return new JsonObject
        {
            ["type"] = t.Name,
            ["version"] = t.Version,
            ["description"] = t.Description,
            ["schema"] = Envelope(t, data.DeepClone()),
            ["dataSchema"] = data,
        };
    }

    /// <summary>The envelope's schema; for one type, its <c>type</c>, <c>dataVersion</c> and <c>data</c> pinned down.</summary>
    private static JsonObject Envelope(EventType? t, JsonNode? data)
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(Options, typeof(EventDto), Exporter).AsObject();
        schema.Remove("$schema");
        var envelope = new JsonObject { ["$schema"] = Dialect, ["title"] = t?.Name ?? "event" };
        if (t is not null) envelope["description"] = t.Description;
        foreach (var (name, value) in schema) envelope[name] = value?.DeepClone();
        var properties = envelope["properties"]!.AsObject();
        properties["data"] = data ?? new JsonObject { ["type"] = "object", ["description"] = "The type's data: see its dataSchema." };
        if (t is not null)
        {
            properties["type"] = new JsonObject { ["const"] = t.Name };
            properties["dataVersion"] = new JsonObject { ["const"] = t.Version };
        }
        return envelope;
    }
}
