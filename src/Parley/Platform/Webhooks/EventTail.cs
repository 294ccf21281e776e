using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>The latest stretch of the event log, kept in memory with each event's envelope, so the followers of
/// many subscriptions at about the same place read and render each event once between them rather than once each.
/// It holds only what <see cref="EventReader"/> returned after a known position and grows only from its own end,
/// so serving from it returns exactly what reading the database would; a follower elsewhere reads the database.</summary>
public sealed class EventTail : IDisposable
{
    private const int Keep = 5_000;
    private sealed record Stretch(EventReader.Position Start, List<(Event Event, string Body)> Events)
    {
        public EventReader.Position End => Events.Count == 0 ? Start : EventReader.Position.Of(Events[^1].Event);
    }

    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Stretch? _stretch;

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>, in commit order, with their envelopes.</summary>
    public async Task<List<(Event Event, string Body)>> ReadAfterAsync(ParleyDb db, EventReader.Position after, int limit, CancellationToken ct)
    {
        if (Cached(after, limit) is { } hit) return hit;
        await _reading.WaitAsync(ct);
        try
        {
            // Another follower may have read them while this one waited.
            if (Cached(after, limit) is { } again) return again;
            var read = (await EventReader.ReadAfterAsync(db, after, limit, ct)).Select(e => (e, WebhookFanOut.Envelope(e))).ToList();
            var stretch = _stretch;
            if (stretch is not null && stretch.End == after)
                _stretch = Trimmed(new Stretch(stretch.Start, [.. stretch.Events, .. read]));
            else if (read.Count > 0 && (stretch is null || Before(stretch.End, after)))
                _stretch = new Stretch(after, read); // the readers have moved on past it
            return read;
        }
        finally { _reading.Release(); }
    }

    private List<(Event Event, string Body)>? Cached(EventReader.Position after, int limit)
    {
        if (_stretch is not { } stretch) return null;
        int from;
        if (after == stretch.Start) from = 0;
        else
        {
            var at = stretch.Events.FindIndex(x => EventReader.Position.Of(x.Event) == after);
            if (at < 0) return null;
            from = at + 1;
        }
        return from >= stretch.Events.Count ? null : stretch.Events.GetRange(from, Math.Min(limit, stretch.Events.Count - from));
    }

    private static Stretch Trimmed(Stretch s) => s.Events.Count <= Keep ? s
        : new Stretch(EventReader.Position.Of(s.Events[^(Keep + 1)].Event), s.Events[^Keep..]);

    public void Dispose() => _reading.Dispose();

    private static bool Before(EventReader.Position a, EventReader.Position b) => a.Tx < b.Tx || (a.Tx == b.Tx && a.Seq < b.Seq);
}
