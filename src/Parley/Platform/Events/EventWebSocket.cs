using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Platform.Events;

/// <summary>Follows the event log over a WebSocket (docs/adr/0016): each event one JSON text message (the envelope of
/// GET /api/v1/events), resuming after <c>after</c>. The server pings every 20 seconds and drops a peer that does not
/// answer within 20 more; a send that stays blocked for 30 seconds drops the peer too. Events are read from the
/// database one batch ahead of what the peer has taken, so a slow peer costs a connection, not memory.</summary>
public static class EventWebSocket
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> FollowAsync(
        HttpContext http, IServiceScopeFactory scopes, EventSignal signal, Viewer viewer, Guid? after,
        [FromQuery] string[]? type, [FromQuery] Guid[]? brandId, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            return TypedResults.Problem(title: "WebSocket expected", detail: "Open this address with a WebSocket handshake (or use /api/v1/events/stream for Server-Sent Events).",
                statusCode: StatusCodes.Status400BadRequest);
        if (EventFilter.TryCreate(viewer, type, brandId, out var invalid) is not { } filter) return EventEndpoints.BadFilter(invalid!);
        EventReader.Position start;
        await using (var scope = scopes.CreateAsyncScope())
        {
            try { start = await EventReader.PositionOfAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), after, ct); }
            catch (EventReader.UnknownCursorException e) { return EventEndpoints.UnknownCursor(e); }
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = KeepAlive, KeepAliveTimeout = KeepAlive });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var deaf = new CancellationTokenSource();
        // Reading is how close frames and pongs are seen; the peer has nothing else to say. Its close stops the follow.
        var listening = ListenAsync(socket, stop, deaf.Token);
        try
        {
            await foreach (var e in EventEndpoints.Follow(scopes, signal, filter, start, stop.Token))
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(EventDto.From(e), JsonSerializerOptions.Web);
                using var send = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                send.CancelAfter(SendTimeout);
                await socket.SendAsync(body, WebSocketMessageType.Text, endOfMessage: true, send.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        if (socket.State is WebSocketState.Open)
        {
            // Parley is stopping: say so and give the peer a moment to answer the close.
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "Parley is stopping.", closing.Token); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
            await Task.WhenAny(listening, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
        await deaf.CancelAsync();
        await listening;
        return TypedResults.Empty;
    }

    private static async Task ListenAsync(WebSocket socket, CancellationTokenSource stop, CancellationToken deaf)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var received = await socket.ReceiveAsync(buffer, deaf);
                if (received.MessageType != WebSocketMessageType.Close) continue;
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Bye.", deaf);
                break;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        await stop.CancelAsync();
    }
}
