using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Web;

public sealed record TypingRequest(bool Typing);

/// <summary>The workspace's push channel: one Server-Sent Events connection per page.</summary>
public static class LiveEndpoints
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly LiveMessage Ping = LiveMessage.Of("ping", new { });
    private static readonly LiveMessage Overflowed = LiveMessage.Of("resync", new { reason = "Too many changes at once." });

    public static void MapLiveEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/live", StreamAsync).WithTags("Workspace")
            .WithSummary("Server-Sent Events for a workspace page: log events about conversations the caller may see (the page then fetches what changed), " +
                "presence (who has a conversation open, who is typing), 'ready' when connected, 'resync' when the page should reload its data, 'ping' every 15 s. " +
                "With ?conversation=id the caller is shown as present in that conversation while connected. " +
                "With ?rows=true (an inbox) the caller is sent 'inbox.rows' instead of the events about conversations: after each batch of changes, " +
                "{ rows: [{ item (as /inbox lists it), clock (as /clocks gives it), news, at }], gone: [ids no longer visible] }, of the conversations it may see " +
                "(whatever its filters: the page applies them), plus 'note.added' and 'conversation.assigned' events.");
        api.MapPost("/presence/{conversationId:guid}/typing", TypingAsync).WithTags("Workspace")
            .WithSummary("Tells colleagues with the conversation open that the caller is typing (or has stopped).");
    }

    private static async Task<Results<LiveStream, ProblemHttpResult>> StreamAsync(
        HttpContext http, ParleyDb db, Viewer viewer, LiveFeed feed, Presence presence, AgentConnections connections, IServiceScopeFactory scopes,
        Guid? conversation, bool? rows, CancellationToken ct)
    {
        Presence.Access? access = null;
        if (conversation is { } id)
        {
            access = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.Id == id)
                .Select(c => new Presence.Access(c.BrandId, c.TeamId, c.AssigneeId)).FirstOrDefaultAsync(ct);
            if (access is null) return Problems.NotFound("conversation", id);
        }
        // Proxies must not hold the stream back.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return new LiveStream(FollowAsync(feed, presence, connections, scopes, viewer, conversation, access, rows ?? false, ct));
    }

    /// <summary>The page's messages, a batch per wake-up: everything queued for it by then.</summary>
    private static async IAsyncEnumerable<IReadOnlyList<LiveMessage>> FollowAsync(LiveFeed feed, Presence presence, AgentConnections connections,
        IServiceScopeFactory scopes, Viewer viewer, Guid? conversation, Presence.Access? access, bool rows, [EnumeratorCancellation] CancellationToken ct)
    {
        var subscriber = feed.Subscribe(viewer, conversation, rows);
        // A connected page is what makes a person present for routing.
        if (viewer.UserId is { } person) connections.Connected(person);
        try
        {
            if (conversation is { } id && viewer.UserId is { } userId)
                presence.Join(id, access!, subscriber.ConnectionId, userId, viewer.Name);
            var present = conversation is { } c ? [presence.Snapshot(c)]
                : presence.All().Where(p => viewer.CanSee(p.Access.BrandId, p.Access.TeamId, p.Access.AssigneeId)).Select(p => p.Presence).ToList();
            yield return [LiveMessage.Of("ready", new { connectionId = subscriber.ConnectionId, presence = present, since = subscriber.Since })];

            var lastViewerCheck = DateTime.UtcNow;
            Task<bool>? pending = null;
            while (!ct.IsCancellationRequested)
            {
                pending ??= subscriber.Reader.WaitToReadAsync(ct).AsTask();
                var quiet = false;
                try { await pending.WaitAsync(Heartbeat, ct); }
                catch (TimeoutException) { quiet = true; }
                if (quiet)
                {
                    // Lets both ends notice a connection that died without closing.
                    yield return [Ping];
                    continue;
                }
                var more = await pending;
                pending = null;
                if (!more) yield break;
                if (subscriber.ViewerIsStale || DateTime.UtcNow - lastViewerCheck > TimeSpan.FromSeconds(30))
                {
                    subscriber.ViewerIsStale = false;
                    lastViewerCheck = DateTime.UtcNow;
                    if (viewer.UserId is { } me)
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        subscriber.Viewer = await Viewer.ForUserAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), me, ct);
                    }
                }
                if (subscriber.TakeOverflow())
                {
                    while (subscriber.Reader.TryRead(out _)) { }
                    yield return [Overflowed];
                    continue;
                }
                var batch = new List<LiveMessage>();
                while (subscriber.Reader.TryRead(out var message)) batch.Add(message);
                if (batch.Count > 0) yield return batch;
            }
        }
        finally
        {
            feed.Unsubscribe(subscriber);
            if (conversation is { } id) presence.Leave(id, subscriber.ConnectionId);
            if (viewer.UserId is { } leaving) connections.Disconnected(leaving);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> TypingAsync(
        Guid conversationId, TypingRequest request, Viewer viewer, Presence presence, ParleyDb db, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return SavedViews.PeopleOnly();
        if (!await viewer.Visible(db.Conversations).AnyAsync(c => c.Id == conversationId, ct)) return Problems.NotFound("conversation", conversationId);
        return presence.SetTyping(conversationId, me, request.Typing)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not open",
                detail: "Typing is shown only while the conversation is open in a connected page; reconnect and try again.");
    }
}
