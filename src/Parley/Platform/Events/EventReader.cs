using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>Reads the log in commit order from a cursor (the id of the last event seen).</summary>
public static class EventReader
{
    public sealed class UnknownCursorException(Guid cursor) : Exception($"No event has the id {cursor}.");

    /// <summary>Where an event sits in commit order. A follower that keeps the position of the last
    /// event it read need not look its cursor up again at every read.</summary>
    public readonly record struct Position(long Tx, long Seq)
    {
        public static readonly Position Start = new(-1, -1);

        public static Position Of(Event e) => new(e.Tx, e.Seq);
    }

    public static async Task<List<Event>> ReadAfterAsync(ParleyDb db, Guid? after, int limit, CancellationToken ct) =>
        await ReadAfterAsync(db, await PositionOfAsync(db, after, ct), limit, ct);

    public static async Task<Position> PositionOfAsync(ParleyDb db, Guid? after, CancellationToken ct)
    {
        if (after is not { } cursor) return Position.Start;
        var position = await db.Events.AsNoTracking().Where(e => e.Id == cursor)
            .Select(e => new { e.Tx, e.Seq }).FirstOrDefaultAsync(ct)
            ?? throw new UnknownCursorException(cursor);
        return new Position(position.Tx, position.Seq);
    }

    public static async Task<List<Event>> ReadAfterAsync(ParleyDb db, Position after, int limit, CancellationToken ct)
    {
        var events = new List<Event>(Math.Min(limit, 1000));
        await using var rows = await EventRows.OpenAsync(db, after, limit, ct);
        while (await rows.ReadAsync(ct)) events.Add(rows.ToEvent());
        return events;
    }
}
