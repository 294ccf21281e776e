using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>The latest stretch of the event log, kept in memory with each event's envelope (UTF-8, as sent), so the followers of
/// many subscriptions at about the same place read and render each event once between them rather than once each.
/// It holds only what <see cref="EventReader"/> returned after a known position and grows only from its own end,
/// so serving from it returns exactly what reading the database would; a follower elsewhere reads the database.</summary>
/// <remarks>The stretch is kept as the chunks it was read in (ADR 25): extending it adds a chunk instead of copying
/// every event into a new list (at 5,000 events that copy was a large-object allocation at every read, and each
/// one brought a full collection nearer), and it is long enough (10 seconds at 1,000 events a second) that
/// followers a few seconds apart still share it. A follower outside it reads the database without waiting for the
/// one that extends it.</remarks>
public sealed class EventTail : IDisposable
{
    private const int Keep = 10_000;

    private sealed record Chunk(EventReader.Position Start, List<(Event Event, byte[] Body)> Events)
    {
        public EventReader.Position End => EventReader.Position.Of(Events[^1].Event);
    }

    /// <summary>Chunks in log order, each starting where the previous one ended; never changed once published.</summary>
    private sealed record Stretch(Chunk[] Chunks, int Count)
    {
        public EventReader.Position End => Chunks[^1].End;
    }

    private readonly SemaphoreSlim _extending = new(1, 1);
    private volatile Stretch? _stretch;

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>, in commit order, with their envelopes.</summary>
    /// <remarks>Memory serves a read alone only when it fills the batch. One that reaches the stretch's end also reads
    /// what was committed since (and extends the stretch with it): served the stretch alone, a follower would get the
    /// log as it was when the stretch was last extended, a step of another follower ago (ADR 28).</remarks>
    public async Task<List<(Event Event, byte[] Body)>> ReadAfterAsync(ParleyDb db, EventReader.Position after, int limit, CancellationToken ct)
    {
        if (Cached(after, limit) is { } hit && hit.Count == limit) return Counted("memory", hit);
        // A follower behind the stretch reads for itself at once; only one at its end extends it.
        if (_stretch is { } s && Before(after, s.End) && !Inside(s, after)) return Counted("behind", await ReadAsync(db, after, limit, ct));
        await _extending.WaitAsync(ct);
        try
        {
            // What memory has now (another follower may have extended it meanwhile), then the log after it.
            var cached = Cached(after, limit) ?? [];
            if (cached.Count == limit) return Counted("memory", cached);
            var from = cached.Count > 0 ? EventReader.Position.Of(cached[^1].Event) : after;
            var read = await ReadAsync(db, from, limit - cached.Count, ct);
            if (read.Count == 0) return Counted("extended", cached);
            var stretch = _stretch;
            if (stretch is not null && stretch.End == from)
                _stretch = Trimmed(new Stretch([.. stretch.Chunks, new Chunk(from, read)], stretch.Count + read.Count));
            else if (stretch is null || Before(stretch.End, from))
                _stretch = new Stretch([new Chunk(from, read)], read.Count); // the readers have moved on past it
            cached.AddRange(read);
            return Counted("extended", cached);
        }
        finally { _extending.Release(); }
    }

    private static async Task<List<(Event Event, byte[] Body)>> ReadAsync(ParleyDb db, EventReader.Position after, int limit, CancellationToken ct) =>
        (await EventReader.ReadAfterAsync(db, after, limit, ct)).Select(e => (e, WebhookFanOut.EnvelopeUtf8(e))).ToList();

    private static List<(Event Event, byte[] Body)> Counted(string source, List<(Event Event, byte[] Body)> read)
    {
        FanOutMetrics.Read(source, read.Count);
        return read;
    }

    private static bool Inside(Stretch s, EventReader.Position after) => !Before(after, s.Chunks[0].Start);

    private List<(Event Event, byte[] Body)>? Cached(EventReader.Position after, int limit)
    {
        if (_stretch is not { } stretch || !Inside(stretch, after)) return null;
        var c = 0;
        while (c < stretch.Chunks.Length && !Before(after, stretch.Chunks[c].End)) c++; // the chunk holding the next event
        if (c == stretch.Chunks.Length) return null;
        var chunk = stretch.Chunks[c];
        var from = after == chunk.Start ? 0 : chunk.Events.FindIndex(x => EventReader.Position.Of(x.Event) == after) + 1;
        if (from == 0 && after != chunk.Start) return null; // not an event's position: read it from the database
        var result = new List<(Event Event, byte[] Body)>(Math.Min(limit, 1_000));
        for (; c < stretch.Chunks.Length && result.Count < limit; c++, from = 0)
        {
            var events = stretch.Chunks[c].Events;
            result.AddRange(events.GetRange(from, Math.Min(limit - result.Count, events.Count - from)));
        }
        return result;
    }

    private static Stretch Trimmed(Stretch s)
    {
        var (drop, count) = (0, s.Count);
        while (count - s.Chunks[drop].Events.Count >= Keep) count -= s.Chunks[drop++].Events.Count;
        return drop == 0 ? s : new Stretch(s.Chunks[drop..], count);
    }

    public void Dispose() => _extending.Dispose();

    private static bool Before(EventReader.Position a, EventReader.Position b) => a.Tx < b.Tx || (a.Tx == b.Tx && a.Seq < b.Seq);
}
