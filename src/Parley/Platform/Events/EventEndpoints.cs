using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Platform.Events;

public sealed record EventDto(Guid Id, string Type, DateTimeOffset OccurredAt, string Subject, JsonElement Data)
{
    public static EventDto From(Event e) =>
        new(e.Id, e.Type, e.OccurredAt, e.Subject, JsonDocument.Parse(e.Data).RootElement.Clone());
}

public sealed record EventPage(IReadOnlyList<EventDto> Items, Guid? NextCursor);

public static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");

        events.MapGet("/", ListEvents)
            .WithSummary("Pages through the event log in commit order. Pass the last event's id as `after`.");

        events.MapGet("/stream", StreamEvents)
            .WithSummary("Follows the event log live as Server-Sent Events; resumes after `Last-Event-ID`.");
    }

    private static async Task<Results<Ok<EventPage>, ProblemHttpResult>> ListEvents(
        ParleyDb db, Viewer viewer, Guid? after, int? limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit ?? 100, 1, 1000);
        try
        {
            var items = await EventReader.ReadAfterAsync(db, after, take, ct);
            var dtos = items.Where(e => Shows(viewer, e)).Select(EventDto.From).ToList();
            // The cursor moves past events the caller may not see, so a page can be short but paging never stalls.
            return TypedResults.Ok(new EventPage(dtos, items.Count > 0 ? items[^1].Id : after));
        }
        catch (EventReader.UnknownCursorException e)
        {
            return UnknownCursor(e);
        }
    }

    private static async Task<Results<ServerSentEventsResult<EventDto>, ProblemHttpResult>> StreamEvents(
        HttpContext http, IServiceScopeFactory scopes, EventSignal signal, Viewer viewer, Guid? after, CancellationToken ct)
    {
        var cursor = after;
        if (Guid.TryParse(http.Request.Headers["Last-Event-ID"], out var lastEventId)) cursor = lastEventId;

        // Check the cursor before the response starts, while an error can still be a 400.
        await using (var scope = scopes.CreateAsyncScope())
        {
            try { await EventReader.ReadAfterAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), cursor, 1, ct); }
            catch (EventReader.UnknownCursorException e) { return UnknownCursor(e); }
        }
        return TypedResults.ServerSentEvents(Follow(scopes, signal, viewer, cursor, ct));
    }

    /// <summary>An app limited to brands sees only their events; installation-wide events (apps, brands) are not theirs.</summary>
    private static bool Shows(Viewer viewer, Event e) => viewer.SeesEverything || (e.BrandId is { } brand && viewer.SeesBrand(brand));

    private static ProblemHttpResult UnknownCursor(EventReader.UnknownCursorException e) =>
        TypedResults.Problem(title: "Unknown cursor", detail: e.Message + " Use the id of an event you have read, or omit it to start from the beginning.",
            statusCode: StatusCodes.Status400BadRequest);

    private static async IAsyncEnumerable<SseItem<EventDto>> Follow(
        IServiceScopeFactory scopes, EventSignal signal, Viewer viewer, Guid? cursor, [EnumeratorCancellation] CancellationToken ct)
    {
        EventReader.Position? position = null;
        while (!ct.IsCancellationRequested)
        {
            List<Event> batch;
            // Taken before reading, so a commit between the read and the wait is not missed.
            var next = signal.Next;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                // The cursor is looked up once; after that the position of the last event sent is kept.
                position ??= await EventReader.PositionOfAsync(db, cursor, ct);
                batch = await EventReader.ReadAfterAsync(db, position.Value, 500, ct);
            }
            foreach (var e in batch)
            {
                position = EventReader.Position.Of(e);
                if (!Shows(viewer, e)) continue;
                yield return new SseItem<EventDto>(EventDto.From(e), e.Type) { EventId = e.Id.ToString() };
            }
            if (batch.Count == 0) await EventSignal.WaitAsync(next, TimeSpan.FromSeconds(1), ct);
        }
    }
}
