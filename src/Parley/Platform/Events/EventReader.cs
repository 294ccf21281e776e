using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Events;

/// <summary>Reads the log in commit order from a cursor (the id of the last event seen).</summary>
public static class EventReader
{
    public sealed class UnknownCursorException(Guid cursor) : Exception($"No event has the id {cursor}.");

    public static async Task<List<Event>> ReadAfterAsync(ParleyDb db, Guid? after, int limit, CancellationToken ct)
    {
        long tx = -1, seq = -1;
        if (after is { } cursor)
        {
            var position = await db.Events.AsNoTracking().Where(e => e.Id == cursor)
                .Select(e => new { e.Tx, e.Seq }).FirstOrDefaultAsync(ct)
                ?? throw new UnknownCursorException(cursor);
            (tx, seq) = (position.Tx, position.Seq);
        }

        if (!db.IsPostgres)
        {
            // One writer: sequence order is commit order.
            return await db.Events.AsNoTracking().Where(e => e.Seq > seq)
                .OrderBy(e => e.Seq).Take(limit).ToListAsync(ct);
        }

        // A sequence value is not commit order on PostgreSQL: a transaction that took a lower value
        // may commit later. Read only what was written by transactions older than the oldest one
        // still in flight, in (transaction, sequence) order; that prefix can no longer change.
        return await db.Events.FromSqlInterpolated($"""
            SELECT * FROM "Events"
            WHERE ("Tx" > {tx} OR ("Tx" = {tx} AND "Seq" > {seq}))
              AND "Tx" < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
            ORDER BY "Tx", "Seq"
            LIMIT {limit}
            """).AsNoTracking().ToListAsync(ct);
    }
}
