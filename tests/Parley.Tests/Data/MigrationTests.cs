using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Ingest;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Data;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_migrations_match_the_model_so_no_schema_change_is_left_unmigrated(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        await using var scope = parley.Scope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a migration: run both 'dotnet ef migrations add' commands in docs/adr/0003.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    /// <summary>ADR 36 moved the raw body out of InboundEvents: deliveries stored before the upgrade keep their bodies
    /// (replay needs them), and going back down puts them where they were.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Upgrading_moves_each_stored_delivery_body_to_its_own_table_and_back_down(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = provider == TestDatabase.Postgres
            ? (ParleyDb)new PostgresParleyDb(new DbContextOptionsBuilder<PostgresParleyDb>().UseNpgsql(database.ConnectionString).Options)
            : new SqliteParleyDb(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite(DatabaseSetup.SqliteConnectionString(database.ConnectionString)).Options);
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var split = migrations.Single(m => m.EndsWith("_InboundBodies", StringComparison.Ordinal));
        var before = migrations[migrations.IndexOf(split) - 1];
        await migrator.MigrateAsync(before);
        byte[] body = [0x7b, 0x00, 0xff, 0x7d];
        // The time as each provider stores it (a sortable integer on SQLite).
        var at = provider == TestDatabase.Postgres ? (object)DateTimeOffset.UtcNow : 0L;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Body", "Status", "UnhandledCount", "MessageCount")
            VALUES ({Guid.NewGuid()}, {InboundParsers.XWebhook}, {at}, {body}, 'Processed', 0, 0)
            """);

        await migrator.MigrateAsync(split);
        var stored = await db.InboundEvents.AsNoTracking().Select(e => new { e.Status, e.Body }).SingleAsync();
        Assert.Equal(InboundStatus.Processed, stored.Status);
        Assert.Equal(body, stored.Body);

        await migrator.MigrateAsync(before);
        var kept = new List<byte[]>();
        await db.Database.OpenConnectionAsync();
        await using (var command = db.Database.GetDbConnection().CreateCommand())
        {
            command.CommandText = "SELECT \"Body\" FROM \"InboundEvents\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) kept.Add((byte[])reader.GetValue(0));
        }
        Assert.Equal(body, Assert.Single(kept));
    }
}
