using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Data;

/// <summary>Lets SQLite itself wait for its write lock. Microsoft.Data.Sqlite does not set SQLite's
/// busy timeout: when another connection holds the lock it sleeps 150 ms on the calling thread and
/// tries again, so a write that meets a commit of a few milliseconds waits 150 ms or more. SQLite's
/// own busy handler retries after 1, 2, 5, 10 ... ms, which keeps such waits near the length of
/// the commit ahead. Set on every connection as it opens (a native call, no statement).</summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>As long as Microsoft.Data.Sqlite's own default command timeout.</summary>
    public const int Milliseconds = 30_000;

    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) SQLitePCL.raw.sqlite3_busy_timeout(handle, Milliseconds);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }
}
