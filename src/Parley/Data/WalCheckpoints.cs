using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Parley.Data;

/// <summary>SQLite's WAL checkpoints for the writers acknowledgements wait behind (docs/adr/0034, 0036): the automatic
/// one paused on a connection for a write turn, and the passive one those writers run outside their turns instead.</summary>
public static class WalCheckpoints
{
    /// <summary>SQLite's default: a commit that leaves this many pages in the WAL checkpoints it.</summary>
    public const int SqliteDefaultPages = 1_000;

    /// <summary>Until the result is disposed, commits on <paramref name="db"/>'s (open) connection never checkpoint.
    /// Restored to SQLite's default on dispose: the connection goes back to a pool that other writers share.
    /// Does nothing on PostgreSQL.</summary>
    public static Resume PauseAutomatic(ParleyDb db)
    {
        if (db.IsPostgres || db.Database.GetDbConnection() is not SqliteConnection { Handle: { } handle }) return default;
        SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, 0);
        return new Resume(handle);
    }

    /// <summary>Copies what the WAL holds into the database file without taking the write lock (commits go on).</summary>
    /// <returns>Whether it copied every frame the WAL held as it started, and how many frames that was.</returns>
    public static (bool CopiedAll, long Frames) Passive(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var result = command.ExecuteReader();
        // busy, frames in the WAL, frames copied into the database file
        if (!result.Read()) return (false, 0);
        var frames = result.GetInt64(1);
        return (result.GetInt32(0) == 0 && frames == result.GetInt64(2), frames);
    }

    public readonly struct Resume(SQLitePCL.sqlite3? handle) : IDisposable
    {
        public void Dispose()
        {
            if (handle is not null) SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, SqliteDefaultPages);
        }
    }
}
