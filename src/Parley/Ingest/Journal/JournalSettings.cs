using Microsoft.Data.Sqlite;
using Parley.Data;

namespace Parley.Ingest.Journal;

/// <summary>Where the ingest journal lives and whether the writer appends to it (docs/adr/0045). On SQLite it is on by
/// default, in a folder beside the database file (<c>data/parley.db.ingest-journal/</c>); <c>Parley:Ingest:Journal=false</c>
/// turns it off, and what an earlier run left in it is still moved at start. PostgreSQL has none: several nodes may share
/// one database, and ids given by a node's own files would collide.</summary>
public sealed record JournalSettings(bool Enabled, string Folder, long SegmentBytes)
{
    public const long DefaultSegmentBytes = 64L << 20;

    /// <returns>null on PostgreSQL.</returns>
    /// <exception cref="InvalidOperationException">The journal was asked for on PostgreSQL.</exception>
    public static JournalSettings? From(IConfiguration config, string database)
    {
        var section = config.GetSection("Parley:Ingest");
        var enabled = section["Journal"] is { Length: > 0 } flag ? bool.Parse(flag) : (bool?)null;
        if (DatabaseSetup.IsPostgres(database))
        {
            if (enabled == true)
                throw new InvalidOperationException("Parley:Ingest:Journal is for SQLite: on PostgreSQL several nodes may share the database, and a node's journal would give ids that collide (docs/adr/0045).");
            return null;
        }
        var file = new SqliteConnectionStringBuilder(DatabaseSetup.SqliteConnectionString(database)).DataSource;
        var folder = section["JournalPath"] is { Length: > 0 } path ? Path.GetFullPath(path) : file + ".ingest-journal";
        var segmentBytes = section["JournalSegmentBytes"] is { Length: > 0 } bytes
            ? long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture) : DefaultSegmentBytes;
        return new JournalSettings(enabled ?? true, folder, segmentBytes);
    }
}
