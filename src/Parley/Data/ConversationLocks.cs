using Microsoft.EntityFrameworkCore;

namespace Parley.Data;

/// <summary>Row locks for writers that change many conversations in one transaction (the service-level sweep,
/// batched assignment) without risking a deadlock with ingest, whose transaction also changes many conversations,
/// in its own order, on PostgreSQL (ADR 8 records the deadlock this caused once).</summary>
public static class ConversationLocks
{
    /// <summary>Locks those of <paramref name="ids"/> that nobody else holds, without waiting, and returns them;
    /// the caller changes only those (the others are being changed by someone else and are seen again). A
    /// transaction that never waits for a row lock cannot be part of a deadlock. On SQLite the transaction already
    /// holds the single write lock, so every id is returned.</summary>
    public static async Task<HashSet<Guid>> LockAvailableAsync(ParleyDb db, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (!db.IsPostgres || ids.Count == 0) return [.. ids];
        var array = ids.ToArray();
        var locked = await db.Database.SqlQueryRaw<Guid>(
            "SELECT \"Id\" AS \"Value\" FROM \"Conversations\" WHERE \"Id\" = ANY({0}) ORDER BY \"Id\" FOR UPDATE SKIP LOCKED", array)
            .ToListAsync(ct);
        return [.. locked];
    }
}
