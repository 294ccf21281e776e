using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Ingest;
using Parley.Ingest.Journal;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests.Journal;

/// <summary>On SQLite the processor takes acknowledged deliveries straight from the ingest journal (docs/adr/0048): each
/// delivery's row is written once, already processed, in the batch's own transaction; the backlog still in the journal
/// counts as waiting; and a processor far behind gets the oldest as pending rows, each processed once.</summary>
public sealed class ProcessingFromJournalTests
{
    private static JournalMover Journalled(TestParley parley) =>
        parley.App.Services.GetRequiredService<IngestWriter>().Journalled ?? throw new InvalidOperationException("No ingest journal.");

    [Fact]
    public async Task A_delivery_from_the_journal_is_written_once_already_processed()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var channel = await parley.CreateXChannelAsync();
        // Every write of a delivery's row, as SQLite sees it.
        await parley.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE "RowWrites" ("Seq" INTEGER PRIMARY KEY AUTOINCREMENT, "Id" INTEGER, "What" TEXT);
            CREATE TRIGGER "InboundInserted" AFTER INSERT ON "InboundEvents"
                BEGIN INSERT INTO "RowWrites" ("Id", "What") VALUES (NEW."Id", 'insert ' || NEW."Status"); END;
            CREATE TRIGGER "InboundUpdated" AFTER UPDATE ON "InboundEvents"
                BEGIN INSERT INTO "RowWrites" ("Id", "What") VALUES (NEW."Id", 'update ' || NEW."Status"); END;
            """));

        await parley.DeliverAsync(channel, TweetDelivery(Tweet("9301", "456", "ana", "@zammadhq my bag is lost", T0)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("9302", "457", "ben", "@zammadhq where is my refund", T0)));
        await parley.DrainInboundAsync();

        var writes = await parley.WithDbAsync(db => db.Database.SqlQueryRaw<string>("""SELECT "What" AS "Value" FROM "RowWrites" ORDER BY "Seq" """).ToListAsync());
        Assert.Equal(["insert Processed", "insert Processed"], writes);
        var rows = await parley.WithDbAsync(db => db.InboundEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.All(rows, e =>
        {
            Assert.Equal(1, e.MessageCount);
            Assert.NotNull(e.ProcessedAt);
            Assert.NotEmpty(e.Body);
        });
        Assert.Equal(2, await parley.WithDbAsync(db => db.Messages.CountAsync()));
    }

    [Fact]
    public async Task Deliveries_still_in_the_journal_count_as_waiting_in_the_stats()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var channel = await parley.CreateXChannelAsync();
        var gate = parley.App.Services.GetRequiredService<WriteGate>();

        // Acknowledged (the journal needs no turn), but not processed: the processor waits for the turn held here.
        using (await gate.EnterAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            await parley.DeliverAsync(channel, TweetDelivery(Tweet("9311", "456", "ana", "@zammadhq my bag is lost", T0)));
            Assert.Equal(0, await parley.WithDbAsync(db => db.InboundEvents.CountAsync()));
            var stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
            Assert.Equal(1, stats.GetProperty("byStatus").GetProperty("pending").GetInt32());
            Assert.True(stats.GetProperty("oldestPendingAgeSeconds").GetDouble() >= 0);
        }

        await parley.DrainInboundAsync();
        var after = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("oldestPendingAgeSeconds").ValueKind);
        Assert.False(after.GetProperty("byStatus").TryGetProperty("pending", out _));
        Assert.Equal(1, after.GetProperty("byStatus").GetProperty("processed").GetInt32());
    }

    [Fact]
    public async Task A_processor_far_behind_gets_the_oldest_deliveries_as_pending_rows_and_processes_each_once()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var channel = await parley.CreateXChannelAsync();
        var processor = parley.App.Services.GetRequiredService<InboundProcessor>();
        await processor.StopAsync(CancellationToken.None);
        Journalled(parley).SpillAbove = 2;

        for (var i = 0; i < 5; i++)
            await parley.DeliverAsync(channel, TweetDelivery(Tweet($"{9320 + i}", $"{460 + i}", $"c{i}", "@zammadhq hello", T0.AddMinutes(i))));

        // Past two waiting, the oldest are moved into the database as pending rows (down to one waiting); the newest stay
        // in the journal, and the stats count both.
        var writer = parley.App.Services.GetRequiredService<IngestWriter>();
        var pending = await TestParley.EventuallyAsync(async () =>
        {
            var ids = await parley.WithDbAsync(db => db.InboundEvents.Where(e => e.Status == InboundStatus.Pending).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());
            return ids.Count >= 3 && ids.Count + writer.Unmoved == 5 ? ids : null;
        }, "the oldest deliveries as pending rows");
        Assert.InRange(writer.Unmoved, 1, 2);
        Assert.Equal(5, (await parley.GetJsonAsync("/api/v1/inbound/stats")).GetProperty("byStatus").GetProperty("pending").GetInt32());

        // Processing takes the stored ones first, then the journal's, in order.
        while (await processor.ProcessPendingAsync(CancellationToken.None) > 0) { }
        var rows = await parley.WithDbAsync(db => db.InboundEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(5, rows.Count);
        Assert.Equal(pending, rows.Take(pending.Count).Select(e => e.Id));
        Assert.All(rows, e => Assert.Equal(InboundStatus.Processed, e.Status));
        Assert.Equal(5, await parley.WithDbAsync(db => db.Messages.CountAsync()));
        Assert.Equal(0, parley.App.Services.GetRequiredService<IngestWriter>().Unmoved);
    }

    [Fact]
    public async Task Rows_inserted_from_the_journal_are_stored_exactly_as_EF_Core_stores_them()
    {
        await using var byEf = await TestParley.StartAsync(TestDatabase.Sqlite);
        await using var byInsert = await TestParley.StartAsync(TestDatabase.Sqlite);
        var processedAt = new DateTimeOffset(2026, 12, 5, 18, 0, 0, 123, TimeSpan.FromHours(1));
        var outcomes = new DeliveryOutcome?[]
        {
            new(0, InboundStatus.Processed, 2, 1, null),
            new(0, InboundStatus.Waiting, 0, 0, "1 message(s) answered posts that never arrived."),
            new(0, InboundStatus.Failed, 0, null, "The channel no longer exists."),
            null, // a quarantined body, stored as acknowledged
        };
        var deliveries = outcomes.Select((_, i) => new InboundEvent
        {
            Id = 1000 + i, ChannelId = Guid.Parse("0193a2b4-0000-7000-8000-00000000abcd"), Source = InboundParsers.XWebhook,
            ReceivedAt = processedAt.AddSeconds(-i).ToOffset(TimeSpan.FromHours(-5)), Body = i == 1 ? [] : TestParley.Utf8($"{{\"n\":{i}}}"),
            Status = i == 3 ? InboundStatus.Quarantined : InboundStatus.Pending, Error = i == 3 ? "not JSON" : null,
        }).ToList();

        await byEf.WithDbAsync(async db =>
        {
            for (var i = 0; i < deliveries.Count; i++)
            {
                var (e, o) = (deliveries[i], outcomes[i]);
                db.InboundEvents.Add(new InboundEvent
                {
                    Id = e.Id, ChannelId = e.ChannelId, Source = e.Source, ReceivedAt = e.ReceivedAt, Body = e.Body,
                    Status = o?.Status ?? e.Status, Error = o?.Error ?? e.Error, MessageCount = o?.Added ?? 0,
                    UnhandledCount = o?.Unhandled ?? 0, ProcessedAt = o is null ? null : processedAt,
                });
            }
            return await db.SaveChangesAsync();
        });
        await byInsert.WithDbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using var tx = await db.Database.BeginTransactionAsync();
            ProcessedJournalRows.Insert((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection(),
                [.. deliveries.Select((e, i) => new ProcessedJournalRows.Row(e, outcomes[i]))], processedAt);
            await tx.CommitAsync();
            return 0;
        });

        foreach (var table in new[] { "InboundEvents", "InboundBodies" })
        {
            var expected = await StoredRows.ReadAsync(byEf, table, "Id");
            Assert.Equal(deliveries.Count, expected.Count);
            Assert.Equal(expected, await StoredRows.ReadAsync(byInsert, table, "Id"));
        }
    }
}
