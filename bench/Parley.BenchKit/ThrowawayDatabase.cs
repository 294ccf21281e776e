using Npgsql;

namespace Parley.BenchKit;

/// <summary>A database for one benchmark run: a SQLite file in a fresh temporary folder, or a fresh PostgreSQL
/// database on the given server. Disposing it drops the PostgreSQL database and deletes the folder, which also
/// holds whatever else the run keeps on disk (Parley's data-protection keys).</summary>
public sealed class ThrowawayDatabase : IAsyncDisposable
{
    private readonly string? _postgresAdmin;
    private readonly string? _postgresName;

    private ThrowawayDatabase(string folder, string database, string? postgresAdmin, string? postgresName)
    {
        Folder = folder;
        Database = database;
        _postgresAdmin = postgresAdmin;
        _postgresName = postgresName;
    }

    /// <summary>The run's own folder.</summary>
    public string Folder { get; }

    /// <summary>What <c>Parley:Database</c> is set to: the SQLite file's path, or a connection string.</summary>
    public string Database { get; }

    public bool IsPostgres => _postgresName is not null;

    /// <param name="purpose">Names the folder and the PostgreSQL database, so a run left behind by a crash says
    /// which benchmark made it.</param>
    /// <param name="postgresAdmin">A connection string to a PostgreSQL server allowed to create databases, or null
    /// for SQLite.</param>
    public static async Task<ThrowawayDatabase> CreateAsync(string purpose, string? postgresAdmin)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(Path.GetTempPath(), $"parley-{purpose}-bench", id);
        if (postgresAdmin is null)
        {
            Directory.CreateDirectory(folder);
            return new ThrowawayDatabase(folder, Path.Combine(folder, "parley.db"), null, null);
        }

        // The database first: if the server cannot be reached, nothing is left behind.
        var name = $"parley_{purpose.Replace('-', '_')}_{id}";
        await using (var admin = new NpgsqlConnection(postgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        Directory.CreateDirectory(folder);
        var database = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = name }.ConnectionString;
        return new ThrowawayDatabase(folder, database, postgresAdmin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresAdmin is not null && _postgresName is not null)
        {
            // The run's pooled connections would otherwise keep the database open.
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_postgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
