using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Parley.Data;

/// <summary>SQLite's automatic WAL checkpoint, paused on one connection while a writer holds the write turn that
/// acknowledgements wait behind (docs/adr/0034, 0036). That writer checkpoints after its turn instead.</summary>
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

    public readonly struct Resume(SQLitePCL.sqlite3? handle) : IDisposable
    {
        public void Dispose()
        {
            if (handle is not null) SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, SqliteDefaultPages);
        }
    }
}
