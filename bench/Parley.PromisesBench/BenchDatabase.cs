using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Data;

namespace Parley.PromisesBench;

/// <summary>A fresh Parley database for one run, created by Parley's own migrations.</summary>
public sealed record BenchDatabase(string ConnectionString, bool IsPostgres)
{
    public static async Task<BenchDatabase> CreateAsync(PromisesOptions o)
    {
        if (o.Database == "postgres")
        {
            var admin = new NpgsqlConnectionStringBuilder(o.Postgres) { Pooling = false };
            var name = "parley_promises_bench";
            await using (var c = new NpgsqlConnection(admin.ConnectionString))
            {
                await c.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
                await drop.ExecuteNonQueryAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", c);
                await create.ExecuteNonQueryAsync();
            }
            var cs = new NpgsqlConnectionStringBuilder(o.Postgres) { Database = name, Pooling = true, MaxPoolSize = 20 }.ConnectionString;
            var db = new BenchDatabase(cs, true);
            await db.MigrateAsync();
            return db;
        }
        var folder = Path.Combine(Path.GetTempPath(), "parley-promises-bench");
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Directory.CreateDirectory(folder);
        var sqlite = new BenchDatabase(Path.Combine(folder, "parley.db"), false);
        await sqlite.MigrateAsync();
        return sqlite;
    }

    public ParleyDb Open() => IsPostgres
        ? new PostgresParleyDb(new DbContextOptionsBuilder<PostgresParleyDb>().UseNpgsql(ConnectionString).Options)
        : new SqliteParleyDb(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite(DatabaseSetup.SqliteConnectionString(ConnectionString)).Options);

    private async Task MigrateAsync()
    {
        await using var db = Open();
        await DatabaseSetup.MigrateAsync(db);
    }

    /// <summary>The services Parley's sweep and router need, on this database, with the given clock.</summary>
    public ServiceProvider Services(TimeProvider clock, Action<IServiceCollection> more)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddParleyDatabase(ConnectionString);
        services.AddSingleton<Parley.Platform.Events.EventSignal>();
        more(services);
        return services.BuildServiceProvider();
    }
}

/// <summary>Real time shifted by a fixed amount: lets a run start exactly where the seeded due times begin,
/// however long seeding took. Timers still run on real time.</summary>
public sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public TimeSpan Shift { get; } = shift;
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
