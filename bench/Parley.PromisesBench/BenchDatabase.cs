using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.BenchKit;
using Parley.Data;

namespace Parley.PromisesBench;

/// <summary>A fresh Parley database for one run (<see cref="ThrowawayDatabase"/>), created by Parley's own migrations.</summary>
public sealed record BenchDatabase(ThrowawayDatabase Throwaway, string ConnectionString, bool IsPostgres) : IAsyncDisposable
{
    public static async Task<BenchDatabase> CreateAsync(PromisesOptions o)
    {
        var throwaway = await ThrowawayDatabase.CreateAsync("promises", o.Database == "postgres" ? o.Postgres : null);
        var cs = throwaway.IsPostgres
            ? new NpgsqlConnectionStringBuilder(throwaway.Database) { Pooling = true, MaxPoolSize = 20 }.ConnectionString
            : throwaway.Database;
        var db = new BenchDatabase(throwaway, cs, throwaway.IsPostgres);
        await db.MigrateAsync();
        return db;
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

    public async ValueTask DisposeAsync()
    {
        if (!IsPostgres) Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Throwaway.DisposeAsync();
    }
}

/// <summary>Real time shifted by a fixed amount: lets a run start exactly where the seeded due times begin,
/// however long seeding took. Timers still run on real time.</summary>
public sealed class ShiftedClock(TimeSpan shift) : TimeProvider
{
    public TimeSpan Shift { get; } = shift;
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
