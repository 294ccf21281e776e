using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Web;

/// <summary>One message to a workspace page: an event from the log, a presence change, or a control message.
/// Its data is serialized once, when it is made, and the same text goes to every page that may see it: fifty
/// pages must not cost fifty serializations of every event.</summary>
public sealed record LiveMessage(string Type, string Json, string? Id = null)
{
    public static LiveMessage Of(string type, object data, string? id = null) =>
        new(type, JsonSerializer.Serialize(data, data.GetType(), JsonSerializerOptions.Web), id);
}

/// <summary>One open workspace page.</summary>
/// <param name="rows">The page keeps an inbox: it is sent the changed rows themselves (<c>inbox.rows</c>, one message a
/// batch) instead of every event about them, and of those events only what the inbox still needs (<see cref="LiveFeed.RowPageEvents"/>).</param>
public sealed class LiveSubscriber(Viewer viewer, Guid? watching, bool rows = false)
{
    private readonly Channel<LiveMessage> _queue = Channel.CreateBounded<LiveMessage>(
        new BoundedChannelOptions(2_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private int _overflowed;

    public Guid ConnectionId { get; } = Guid.CreateVersion7();
    public Guid? Watching { get; } = watching;
    public bool WantsRows { get; } = rows;
    public Viewer Viewer { get; set; } = viewer;
    /// <summary>Set when people or teams change, so the connection re-reads what its viewer may see.</summary>
    public bool ViewerIsStale { get; set; }

    public ChannelReader<LiveMessage> Reader => _queue.Reader;
    /// <summary>The feed's <see cref="LiveFeed.Published"/> when this page subscribed: it receives every batch after it.</summary>
    public long Since { get; set; }

    public void Offer(LiveMessage message)
    {
        // A page that cannot keep up is told to reload rather than shown a list with holes in it.
        if (!_queue.Writer.TryWrite(message)) Interlocked.Exchange(ref _overflowed, 1);
    }

    public bool TakeOverflow() => Interlocked.Exchange(ref _overflowed, 0) == 1;
}

/// <summary>Follows the event log once for this node and hands each page the events about
/// conversations its person may see, plus presence changes. Pages then fetch what changed through
/// the ordinary API. Reading the log once per node rather than once per page keeps fifty agents as
/// cheap as one.</summary>
public sealed partial class LiveFeed(IServiceScopeFactory scopes, EventSignal signal, Presence presence, ILogger<LiveFeed> log)
    : BackgroundService
{
    public const string Name = "live-feed";
    private readonly ConcurrentDictionary<Guid, LiveSubscriber> _subscribers = new();
    /// <summary>Wakes the loop when the first page subscribes. With nobody listening the loop does not
    /// follow the event signal, which fires for every write (hundreds a second while webhooks pour in).</summary>
    private readonly Platform.Wakeup _subscribed = new();
    /// <summary>Orders subscribing against publishing, so a subscriber's <see cref="LiveSubscriber.Since"/> is exact.</summary>
    private readonly Lock _publishing = new();
    private long _published;

    /// <summary>How long the loop waits after publishing before it reads again (see ExecuteAsync).</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    /// <summary>The events an inbox page (one sent rows) still hears about one by one: a note may mention its person,
    /// an assignment may be theirs (both feed the notifications). Everything else about a conversation is in its row.</summary>
    public static readonly IReadOnlySet<string> RowPageEvents = new HashSet<string>(StringComparer.Ordinal) { "note.added", "conversation.assigned" };

    /// <summary>How many batches of events have been handed to pages so far. A page whose data was read when this
    /// was N, and whose live connection started at N too, missed nothing in between and need not reload.</summary>
    public long Published => Interlocked.Read(ref _published);

    public LiveSubscriber Subscribe(Viewer viewer, Guid? watching, bool rows = false)
    {
        var subscriber = new LiveSubscriber(viewer, watching, rows);
        lock (_publishing)
        {
            _subscribers[subscriber.ConnectionId] = subscriber;
            subscriber.Since = _published;
        }
        _subscribed.Pulse();
        return subscriber;
    }

    public void Unsubscribe(LiveSubscriber subscriber) => _subscribers.TryRemove(subscriber.ConnectionId, out _);

    public int Subscribers => _subscribers.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        presence.Changed += OnPresenceChanged;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        presence.Changed -= OnPresenceChanged;
        return base.StopAsync(cancellationToken);
    }

    private void OnPresenceChanged(PresenceDto snapshot, Presence.Access access)
    {
        var message = LiveMessage.Of("presence", snapshot);
        foreach (var s in _subscribers.Values)
            if (s.Viewer.CanSee(access.BrandId, access.TeamId, access.AssigneeId)) s.Offer(message);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The position of the last event read, kept so that a read need not look its cursor up again.
        EventReader.Position? position = null;
        var atTail = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                if (_subscribers.IsEmpty || !atTail)
                {
                    // Nobody is listening (or we just started): skip to the end instead of reading history.
                    position = await TailAsync(db, stoppingToken) ?? position;
                    atTail = true;
                    if (_subscribers.IsEmpty)
                    {
                        await _subscribed.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                        continue;
                    }
                }
                var next = signal.Next;
                var batch = await EventReader.ReadAfterAsync(db, position ?? EventReader.Position.Start, 500, stoppingToken);
                if (batch.Count == 0)
                {
                    await EventSignal.WaitAsync(next, TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                position = EventReader.Position.Of(batch[^1]);
                await PublishAsync(db, batch, stoppingToken);
                // Events come in runs (a post is three or four events, written over a few transactions): waiting a
                // moment before the next read gathers a run into one batch, so its rows are read and sent once.
                await Task.Delay(Gather, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogLoopFailed(log, e);
                atTail = false;
                foreach (var s in _subscribers.Values) s.Offer(LiveMessage.Of("resync", new { reason = "The live feed restarted." }));
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task PublishAsync(ParleyDb db, List<Event> batch, CancellationToken ct)
    {
        var ids = batch.Select(e => ConversationOf(e.Subject)).Where(id => id is not null).Select(id => id!.Value).Distinct().ToArray();
        List<LiveSubscriber> subscribers;
        lock (_publishing) subscribers = _subscribers.Values.ToList();
        var rows = subscribers.Any(s => s.WantsRows) ? await InboxRows.ReadAsync(db, batch, ids, DateTimeOffset.UtcNow, ct) : null;
        var access = rows is not null ? rows.Access
            : await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id))
                .Select(c => new { c.Id, c.BrandId, c.TeamId, c.AssigneeId })
                .ToDictionaryAsync(c => c.Id, c => new Presence.Access(c.BrandId, c.TeamId, c.AssigneeId), ct);
        lock (_publishing)
        {
            // Pages that subscribed while the rows were read get this batch too (their Since is before it).
            subscribers = _subscribers.Values.ToList();
            Interlocked.Increment(ref _published);
        }
        foreach (var e in batch)
        {
            if (e.Type.StartsWith("user.", StringComparison.Ordinal) || e.Type.StartsWith("team.", StringComparison.Ordinal))
            {
                foreach (var s in subscribers)
                {
                    s.ViewerIsStale = true;
                    s.Offer(LiveMessage.Of("people.changed", new { e.Type }, e.Id.ToString()));
                }
                continue;
            }
            if (ConversationOf(e.Subject) is not { } conversationId || !access.TryGetValue(conversationId, out var where)) continue;
            var message = LiveMessage.Of(e.Type, EventDto.From(e), e.Id.ToString());
            // Those who could see it before a reassignment hear that it moved (and nothing else), so their lists drop it.
            var moved = e.Type is "conversation.assigned" or "conversation.routed" ? LiveMessage.Of(e.Type, new { subject = e.Subject, data = new { conversationId } }, e.Id.ToString()) : null;
            var forRowPages = RowPageEvents.Contains(e.Type);
            foreach (var s in subscribers)
            {
                if (s.WantsRows && !forRowPages) continue;
                if (s.Viewer.CanSee(where.BrandId, where.TeamId, where.AssigneeId)) s.Offer(message);
                else if (moved is not null && s.Viewer.SeesBrand(where.BrandId)) s.Offer(moved);
            }
        }
        foreach (var s in subscribers)
        {
            if (!s.WantsRows) continue;
            // An inbox page that subscribed while this batch was read without rows: rare, and a reload covers it.
            if (rows is null) s.Offer(LiveMessage.Of("resync", new { reason = "Connected while changes were being sent." }));
            else if (rows.For(s.Viewer) is { } message) s.Offer(message);
        }
    }

    internal static Guid? ConversationOf(string subject) =>
        subject.StartsWith("conversations/", StringComparison.Ordinal) && Guid.TryParse(subject.AsSpan("conversations/".Length), out var id) ? id : null;

    /// <summary>The last event readers may see now (on PostgreSQL: below the oldest transaction in flight, as EventReader reads).</summary>
    private static async Task<EventReader.Position?> TailAsync(ParleyDb db, CancellationToken ct)
    {
        if (!db.IsPostgres)
            return await db.Events.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => (EventReader.Position?)new EventReader.Position(e.Tx, e.Seq)).FirstOrDefaultAsync(ct);
        return await db.Events.FromSqlRaw("""
            SELECT * FROM "Events"
            WHERE "Tx" < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
            ORDER BY "Tx" DESC, "Seq" DESC
            LIMIT 1
            """).AsNoTracking().Select(e => (EventReader.Position?)new EventReader.Position(e.Tx, e.Seq)).FirstOrDefaultAsync(ct);
    }

    [LoggerMessage(LogLevel.Error, "The live feed loop failed; pages were told to reload, retrying in a second.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);
}

public static class EventPulse
{
    /// <summary>Changes made through the API commit before their response is written; waking the
    /// log's readers (the live feed, /events/stream) then brings them to pages at once rather than
    /// at the next poll.</summary>
    public static IApplicationBuilder UseEventPulseAfterWrites(this IApplicationBuilder app)
    {
        var signal = app.ApplicationServices.GetRequiredService<EventSignal>();
        return app.Use(async (http, next) =>
        {
            await next(http);
            // Webhooks only store raw deliveries; the inbound processor announces what they become.
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && http.Response.StatusCode < 400
                && !http.Request.Path.StartsWithSegments("/webhooks"))
                signal.Pulse();
        });
    }
}
