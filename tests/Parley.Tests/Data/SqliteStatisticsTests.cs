using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Data;

/// <summary>SQLite's planner needs statistics (docs/adr/0026); gathering them must not hold the write lock that webhook
/// acknowledgements wait for for long (docs/adr/0042): SQLite says which tables changed enough, and each of their
/// indexes is analysed in its own turn at the write gate; a table without indexes is left alone.</summary>
public sealed class SqliteStatisticsTests
{
    [Fact]
    public async Task A_table_that_grew_has_each_index_analysed_in_a_turn_at_the_write_gate_and_is_left_alone_until_it_changes()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        await parley.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TABLE Growth (Id INTEGER PRIMARY KEY, Kind TEXT NOT NULL, At INTEGER NOT NULL);"
                + " CREATE INDEX IX_Growth_Kind ON Growth (Kind); CREATE INDEX IX_Growth_At ON Growth (At);"
                + " CREATE TABLE Bodies (Id INTEGER PRIMARY KEY, Body BLOB NOT NULL);");
            await db.Database.ExecuteSqlRawAsync(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO Bodies (Body) SELECT randomblob(3000) FROM n");
            return await db.Database.ExecuteSqlRawAsync(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO Growth (Kind, At) SELECT 'k' || (i % 7), i FROM n");
        });
        var statistics = parley.App.Services.GetServices<IHostedService>().OfType<SqliteStatistics>().Single();

        var analysed = await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, () => statistics.RunOnceAsync(CancellationToken.None));

        Assert.Contains(analysed, a => a.Target == "IX_Growth_Kind");
        Assert.Contains(analysed, a => a.Target == "IX_Growth_At");
        var stats = await parley.WithDbAsync(db => db.Database
            .SqlQueryRaw<Stat1>("SELECT idx AS Idx, stat AS Stat FROM sqlite_stat1 WHERE tbl = 'Growth'").ToListAsync());
        // The planner's numbers: rows in the table (estimated from the sample), then rows per distinct key.
        var kind = stats.Single(s => s.Idx == "IX_Growth_Kind").Stat.Split(' ').Select(int.Parse).ToArray();
        Assert.InRange(kind[0], 1_000, 50_000);
        Assert.InRange(kind[1], kind[0] / 14, kind[0] / 3); // 7 kinds
        Assert.Contains(stats, s => s.Idx == "IX_Growth_At");
        // A table without indexes (like the raw bodies) would be counted whole, for statistics nothing uses.
        Assert.DoesNotContain(analysed, a => a.Target == "Bodies");

        // Unchanged since: nothing to do for it.
        Assert.DoesNotContain(await statistics.RunOnceAsync(CancellationToken.None), a => a.Target.StartsWith("IX_Growth", StringComparison.Ordinal));
    }

    private sealed record Stat1(string? Idx, string Stat);
}
