using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Platform.Events;

public static class EventEndpoints
{
    /// <summary>The largest page: replaying a long log should take few round trips.</summary>
    public const int MaxPage = 10_000;

    public static void MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");

        events.MapGet("/", ListEvents)
            .WithSummary("Pages through the event log in commit order. Pass the last page's `nextCursor` as `after`; filter with `type` (exact or `conversation.*`, repeat or comma-separate) and `brandId`.");

        events.MapGet("/stream", StreamEvents)
            .WithSummary("Follows the event log live as Server-Sent Events; resumes after `Last-Event-ID` or `after`; filters as the list does.");

        // A WebSocket handshake answers 101; the OpenAPI document says so (and .spectral.yaml lets this one operation have no 2xx).
        events.MapGet("/ws", EventWebSocket.FollowAsync)
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .WithSummary("Follows the event log live over a WebSocket: one JSON text message per event, resumes after `after`, filters as the list does.");

        events.MapGet("/schema", () => TypedResults.Ok(EventSchemas.Catalogue))
            .WithSummary("The catalogue of event types: each with its description, data version and JSON Schema (envelope and data).");

        events.MapGet("/schema/{type}", Results<Ok<JsonObject>, ProblemHttpResult> (string type) =>
                EventSchemas.Of(type) is { } schema ? TypedResults.Ok(schema)
                    : TypedResults.Problem(title: "Unknown event type", detail: $"Parley writes no event of type '{type}'; GET /api/v1/events/schema lists them.",
                        statusCode: StatusCodes.Status404NotFound))
            .WithSummary("One event type: its description, data version and JSON Schema (envelope and data).");
    }

    private static async Task<Results<EventPageResult, ProblemHttpResult>> ListEvents(
        ParleyDb db, Viewer viewer, Guid? after, int? limit, [FromQuery] string[]? type, [FromQuery] Guid[]? brandId, CancellationToken ct)
    {
        if (EventFilter.TryCreate(viewer, type, brandId, out var invalid) is not { } filter) return BadFilter(invalid!);
        var take = Math.Clamp(limit ?? 100, 1, MaxPage);
        // Resolved here, before the response starts, while an unknown cursor can still be a 400.
        try { return new EventPageResult(db, filter, await EventReader.PositionOfAsync(db, after, ct), after, take); }
        catch (EventReader.UnknownCursorException e) { return UnknownCursor(e); }
    }

    private static async Task<Results<ServerSentEventsResult<EventDto>, ProblemHttpResult>> StreamEvents(
        HttpContext http, IServiceScopeFactory scopes, EventSignal signal, Viewer viewer, Guid? after,
        [FromQuery] string[]? type, [FromQuery] Guid[]? brandId, CancellationToken ct)
    {
        if (EventFilter.TryCreate(viewer, type, brandId, out var invalid) is not { } filter) return BadFilter(invalid!);
        var cursor = after;
        if (Guid.TryParse(http.Request.Headers["Last-Event-ID"], out var lastEventId)) cursor = lastEventId;

        // Check the cursor before the response starts, while an error can still be a 400.
        EventReader.Position start;
        await using (var scope = scopes.CreateAsyncScope())
        {
            try { start = await EventReader.PositionOfAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), cursor, ct); }
            catch (EventReader.UnknownCursorException e) { return UnknownCursor(e); }
        }
        return TypedResults.ServerSentEvents(Sse(Follow(scopes, signal, filter, start, ct)));
    }

    private static async IAsyncEnumerable<SseItem<EventDto>> Sse(IAsyncEnumerable<Event> events)
    {
        await foreach (var e in events)
            yield return new SseItem<EventDto>(EventDto.From(e), e.Type) { EventId = e.Id.ToString() };
    }

    internal static ProblemHttpResult UnknownCursor(EventReader.UnknownCursorException e) =>
        TypedResults.Problem(title: "Unknown cursor", detail: e.Message + " Use the id of an event you have read, or omit it to start from the beginning.",
            statusCode: StatusCodes.Status400BadRequest);

    internal static ProblemHttpResult BadFilter(string detail) =>
        TypedResults.Problem(title: "Invalid event filter", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The events after <paramref name="start"/> that <paramref name="filter"/> shows, live: at most one batch
    /// is read ahead of what the consumer took, so a slow consumer holds the reader back instead of piling events up.</summary>
    internal static async IAsyncEnumerable<Event> Follow(
        IServiceScopeFactory scopes, EventSignal signal, EventFilter filter, EventReader.Position start, [EnumeratorCancellation] CancellationToken ct)
    {
        var position = start;
        while (!ct.IsCancellationRequested)
        {
            List<Event> batch;
            // Taken before reading, so a commit between the read and the wait is not missed.
            var next = signal.Next;
            await using (var scope = scopes.CreateAsyncScope())
                batch = await EventReader.ReadAfterAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), position, 500, ct);
            foreach (var e in batch)
            {
                position = EventReader.Position.Of(e);
                if (filter.Shows(e)) yield return e;
            }
            if (batch.Count == 0) await EventSignal.WaitAsync(next, TimeSpan.FromSeconds(1), ct);
        }
    }
}
