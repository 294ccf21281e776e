using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Parley.Ingest;

namespace Parley.Data;

public static class DatabaseSetup
{
    /// <summary><c>Parley:Database</c> is either a PostgreSQL connection string (it names a Host)
    /// or a SQLite file path.</summary>
    public static bool IsPostgres(string database) =>
        database.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    public static string SqliteConnectionString(string database)
    {
        if (database.Contains("Data Source=", StringComparison.OrdinalIgnoreCase)) return database;
        var full = Path.GetFullPath(database);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new SqliteConnectionStringBuilder
        {
            DataSource = full,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds have passed.
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
    }

    public static IServiceCollection AddParleyDatabase(this IServiceCollection services, string database)
    {
        if (IsPostgres(database))
        {
            services.AddDbContextPool<ParleyDb, PostgresParleyDb>(o => o.UseNpgsql(database));
            services.AddSingleton(new WriteGate(exclusive: false));
            services.AddSingleton(_ => new RawDeliveryStore(postgres: true, database));
        }
        else
        {
            var connection = SqliteConnectionString(database);
            services.AddDbContextPool<ParleyDb, SqliteParleyDb>(o => o.UseSqlite(connection).AddInterceptors(new SqliteBusyTimeout()));
            // SQLite has one writer at a time: the busy writers in this process take turns (see WriteGate).
            services.AddSingleton(new WriteGate(exclusive: true));
            services.AddSingleton(sp => new RawDeliveryStore(postgres: false, connection, sp.GetRequiredService<ILogger<RawDeliveryStore>>()));
            // PostgreSQL's autovacuum keeps its planner's statistics; SQLite needs asking.
            services.AddHostedService<SqliteStatistics>();
        }
        return services;
    }

    public static async Task MigrateAsync(ParleyDb db, CancellationToken ct = default)
    {
        if (!db.IsPostgres)
        {
            // WAL lets readers go on while the single writer commits; it is a property of the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        await db.Database.MigrateAsync(ct);
    }
}

/// <summary>Lets <c>dotnet ef migrations add X --context SqliteParleyDb</c> build the model without a running app.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteParleyDb>
{
    public SqliteParleyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresParleyDb>
{
    public PostgresParleyDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresParleyDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
