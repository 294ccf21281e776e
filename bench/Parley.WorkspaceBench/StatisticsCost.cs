using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Channels;
using Parley.Data;
using Parley.Platform;

namespace Parley.WorkspaceBench;

/// <summary><c>statistics [N]</c>: what keeping SQLite's statistics costs the writers webhook acknowledgements wait
/// behind, on the workspace benchmark's data (docs/adr/0042). Seeds N conversations (as the benchmark does) into a fresh
/// SQLite file never analysed, the largest job there is, then on two copies of it: the former way, <c>PRAGMA
/// analysis_limit=1000; PRAGMA optimize=0x10002</c> in one statement (one write transaction: the lock is held throughout),
/// against <see cref="SqliteStatistics.RunOnceAsync"/> (one index per turn at the write gate): how long the write lock was
/// held at most at once, and in all. Then twice more with nothing changed: what every minute costs once the statistics are current.</summary>
public static class StatisticsCost
{
    public static async Task<int> RunAsync(int conversations)
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-statistics", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var seeded = Path.Combine(folder, "seeded.db");
            await SeedAsync(seeded, conversations);
            var before = Path.Combine(folder, "former.db");
            var after = Path.Combine(folder, "turns.db");
            File.Copy(seeded, before);
            File.Copy(seeded, after);
            Console.WriteLine($"{conversations:N0} conversations seeded, never analysed ({new FileInfo(seeded).Length / 1e6:0} MB); load {File.ReadAllText("/proc/loadavg").Trim()}");
            for (var round = 0; round < 3; round++)
            {
                var former = FormerWay(before);
                var turns = await InTurnsAsync(after);
                var max = turns.Count == 0 ? TimeSpan.Zero : turns.Max(t => t.Took);
                var total = turns.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Took);
                var slowest = turns.Count == 0 ? "" : turns.MaxBy(t => t.Took).Target;
                var median = turns.Count == 0 ? TimeSpan.Zero : turns.Select(t => t.Took).Order().ElementAt(turns.Count / 2);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {(round == 0 ? "first pass" : $"pass {round + 1}")}: former one statement {former.TotalMilliseconds,7:0.0} ms; in turns: {turns.Count,3} turns, median {median.TotalMilliseconds,5:0.0} ms, longest {max.TotalMilliseconds,6:0.0} ms ({slowest}), all {total.TotalMilliseconds,7:0.0} ms"));
            }
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task SeedAsync(string path, int conversations)
    {
        await using (var db = new SqliteParleyDb(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite(DatabaseSetup.SqliteConnectionString(path)).Options))
        {
            await DatabaseSetup.MigrateAsync(db);
            var brand = new Brand { Name = "Parley Air", CreatedAt = DateTimeOffset.UtcNow };
            db.Add(brand);
            var channel = new Channel { BrandId = brand.Id, Kind = "x", Name = "@ParleyAir", CreatedAt = DateTimeOffset.UtcNow };
            db.Add(channel);
            await db.SaveChangesAsync();
            await Seeder.SeedAsync(path, brand.Id, channel.Id, conversations);
        }
        // One file to copy: everything checkpointed out of the WAL.
        await using var connection = new SqliteConnection(DatabaseSetup.SqliteConnectionString(path));
        await connection.OpenAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
        SqliteConnection.ClearAllPools();
    }

    private static TimeSpan FormerWay(string path)
    {
        using var connection = new SqliteConnection(DatabaseSetup.SqliteConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;";
        var started = Stopwatch.GetTimestamp();
        command.ExecuteNonQuery();
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<IReadOnlyList<(string Target, TimeSpan Took)>> InTurnsAsync(string path)
    {
        var services = new ServiceCollection().AddLogging().AddParleyDatabase(path).BuildServiceProvider();
        await using var _ = services;
        var statistics = new SqliteStatistics(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<WriteGate>(),
            NullLogger<SqliteStatistics>.Instance);
        return await statistics.RunOnceAsync(CancellationToken.None);
    }
}
