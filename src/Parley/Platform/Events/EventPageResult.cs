using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>One page of <c>GET /api/v1/events</c>, written row by row from the database reader into the response
/// with a <see cref="Utf8JsonWriter"/>: each event's stored data is copied through as it is, and no entity, list or
/// page object is made, so a long replay costs little more than reading the rows. The JSON is exactly what
/// <see cref="EventPage"/> serializes to, and the endpoint documents that type (<see cref="PopulateMetadata"/>).
/// The cursor is resolved before this result is returned, so an unknown cursor is still a 400 problem.</summary>
public sealed class EventPageResult(ParleyDb db, EventFilter filter, EventReader.Position start, Guid? after, int limit)
    : IResult, IEndpointMetadataProvider
{
    /// <summary>Bytes gathered before they are sent: big enough for few writes, small enough to stream.</summary>
    private const int FlushThreshold = 32 * 1024;

    // The names EventPage and EventDto serialize to with the web (camelCase) defaults.
    private static readonly JsonEncodedText Items = JsonEncodedText.Encode("items"), NextCursor = JsonEncodedText.Encode("nextCursor"),
        Id = JsonEncodedText.Encode("id"), Type = JsonEncodedText.Encode("type"), DataVersion = JsonEncodedText.Encode("dataVersion"),
        OccurredAt = JsonEncodedText.Encode("occurredAt"), Subject = JsonEncodedText.Encode("subject"),
        BrandId = JsonEncodedText.Encode("brandId"), Data = JsonEncodedText.Encode("data");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var (http, ct) = (httpContext, httpContext.RequestAborted);
        await using var rows = await EventRows.OpenAsync(db, start, limit, ct);

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = http.Response.BodyWriter;
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await using var json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });

        json.WriteStartObject();
        json.WriteStartArray(Items);
        // The cursor moves past events the caller may not see, so a page can be short but paging never stalls.
        var last = after;
        while (await rows.ReadAsync(ct))
        {
            var (id, type, brandId) = (rows.Id, rows.Type, rows.BrandId);
            last = id;
            if (!filter.Shows(type, brandId)) continue;
            WriteEvent(json, rows, id, type, brandId);
            if (json.BytesPending >= FlushThreshold)
            {
                json.Flush();
                await body.FlushAsync(ct);
            }
        }
        json.WriteEndArray();
        if (last is { } cursor) json.WriteString(NextCursor, cursor);
        else json.WriteNull(NextCursor);
        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(ct);
    }

    /// <summary>The <see cref="EventDto"/> envelope, in its property order.</summary>
    private static void WriteEvent(Utf8JsonWriter json, EventRows row, Guid id, string type, Guid? brandId)
    {
        json.WriteStartObject();
        json.WriteString(Id, id);
        json.WriteString(Type, type);
        json.WriteNumber(DataVersion, row.DataVersion);
        json.WriteString(OccurredAt, row.OccurredAt);
        json.WriteString(Subject, row.Subject);
        if (brandId is { } brand) json.WriteString(BrandId, brand);
        else json.WriteNull(BrandId);
        json.WritePropertyName(Data);
        // Written by EventLog with the same serializer, so it is valid JSON already (see VerbatimJson).
        json.WriteRawValue(row.Data, skipInputValidation: true);
        json.WriteEndObject();
    }

    /// <summary>The OpenAPI document describes the page as before: 200 with an <see cref="EventPage"/>.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(EventPage), ["application/json"]));
}
