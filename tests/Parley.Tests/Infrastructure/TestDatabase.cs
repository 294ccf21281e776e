using Npgsql;

namespace Parley.Tests.Infrastructure;

/// <summary>A database of its own for one test: a SQLite file in a temporary folder, or a fresh
/// PostgreSQL database on the server named by PARLEY_TEST_POSTGRES (test.sh starts one).</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Both providers; data-access tests run once on each.</summary>
    public static TheoryData<string> Providers => [Sqlite, Postgres];

    public string Provider { get; }
    public string ConnectionString { get; }
    public string Folder { get; }
    private readonly string? _pgDatabase;
    private readonly string? _pgAdmin;

    private TestDatabase(string provider, string connection, string folder, string? pgDatabase = null, string? pgAdmin = null)
    {
        Provider = provider;
        ConnectionString = connection;
        Folder = folder;
        _pgDatabase = pgDatabase;
        _pgAdmin = pgAdmin;
    }

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        if (provider == Sqlite) return new TestDatabase(provider, Path.Combine(folder, "parley.db"), folder);

        var admin = Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES");
        if (string.IsNullOrEmpty(admin))
        {
            // test.sh always provides PostgreSQL; elsewhere (an IDE) these cases are skipped, not failed.
            if (Environment.GetEnvironmentVariable("PARLEY_REQUIRE_POSTGRES") == "1")
                throw new InvalidOperationException("PARLEY_TEST_POSTGRES is not set but PostgreSQL tests are required.");
            Assert.Skip("PostgreSQL is not configured (set PARLEY_TEST_POSTGRES, as ./test.sh does).");
        }
        var name = "parley_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(provider, builder.ConnectionString, folder, name, admin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_pgAdmin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
