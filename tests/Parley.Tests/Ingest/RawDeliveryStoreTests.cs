using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Ingest;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.IngestTests;

/// <summary>The ingest writer stores raw deliveries through SQLite's own calls or an Npgsql batch, not EF Core
/// (docs/adr/0034). Everything else reads them through EF Core, so they must be exactly the rows EF Core would
/// write: the same deliveries are written both ways into two databases and compared column by column as stored, in
/// both tables EF Core splits a delivery over (its event and its body, docs/adr/0036).</summary>
public sealed class RawDeliveryStoreTests
{
    private static readonly Guid Channel = Guid.Parse("0193a2b4-0000-7000-8000-00000000abcd");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Deliveries_are_stored_exactly_as_EF_Core_stores_them(string provider)
    {
        await using var byEf = await TestParley.StartAsync(provider);
        await using var byStore = await TestParley.StartAsync(provider);

        await byEf.WithDbAsync(async db =>
        {
            foreach (var e in Deliveries())
            {
                db.InboundEvents.Add(e);
                await db.SaveChangesAsync();
            }
            return 0;
        });
        await using (var store = StoreOn(byStore.Database))
        {
            var deliveries = Deliveries();
            var ids = new long[deliveries.Count];
            await store.StoreAsync(deliveries, ids, CancellationToken.None);
            Assert.Equal(await byStore.WithDbAsync(db => db.InboundEvents.OrderBy(e => e.Id).Select(e => e.Id).ToListAsync()), ids);
        }

        foreach (var table in new[] { "InboundEvents", "InboundBodies" })
        {
            var expected = await StoredRows.ReadAsync(byEf, table, "Id");
            Assert.Equal(Deliveries().Count, expected.Count);
            Assert.Equal(expected, await StoredRows.ReadAsync(byStore, table, "Id"));
        }
    }

    [Fact]
    public async Task The_WAL_is_written_over_again_rather_than_growing_with_every_row_stored()
    {
        await using var parley = await TestParley.StartAsync();
        // Only this store uses the database: a background service's read can hold a checkpoint back, and the WAL then
        // rightly grows (on a loaded machine it did, now and then).
        await parley.App.StopAsync();
        var body = new byte[3_000];
        Random.Shared.NextBytes(body);
        var batch = Enumerable.Range(0, 32).Select(_ => new InboundEvent
        {
            ChannelId = Channel, Source = InboundParsers.XWebhook, ReceivedAt = DateTimeOffset.UtcNow, Body = body, Status = InboundStatus.Processed,
        }).ToList();
        var ids = new long[batch.Count];
        var wal = new FileInfo(parley.Database.ConnectionString + "-wal");
        await using var store = StoreOn(parley.Database);
        // Enough for background checkpoints to have started (one every 256 rows); then the last one is let finish. A
        // checkpoint held back (another connection checkpointing or reading at that moment, as on a loaded clean run)
        // rightly leaves the WAL to grow, so the measurement starts once one has caught up, as the store then will.
        var commits = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            for (var c = 0; c < 20; c++, commits++) await store.StoreAsync(batch, ids, CancellationToken.None);
            if (await store.WhenCheckpointedAsync()) break;
        }
        wal.Refresh();
        var before = wal.Length;

        // The next commit finds the WAL copied into the database (what the background checkpoint found, and the
        // commits made while it ran) and writes it from the start: 32 pages of 4 KB that do not make the file longer.
        await store.StoreAsync(batch, ids, CancellationToken.None);
        wal.Refresh();
        Assert.Equal(before, wal.Length);
        Assert.Equal((commits + 1) * batch.Count, await parley.WithDbAsync(db => db.InboundEvents.CountAsync()));
    }

    private static RawDeliveryStore StoreOn(TestDatabase database) => database.Provider == TestDatabase.Postgres
        ? new RawDeliveryStore(postgres: true, database.ConnectionString)
        : new RawDeliveryStore(postgres: false, DatabaseSetup.SqliteConnectionString(database.ConnectionString));

    /// <summary>The same deliveries each time: quarantined and of each other status, an empty body and an empty error,
    /// bytes that are not UTF-8. None is pending, so the running processor leaves them as stored.</summary>
    private static List<InboundEvent> Deliveries()
    {
        var at = new DateTimeOffset(2026, 12, 5, 7, 30, 15, 123, TimeSpan.Zero).AddTicks(4567);
        return
        [
            new() { ChannelId = Channel, Source = InboundParsers.XWebhook, ReceivedAt = at, Body = "{\"for_user_id\":\"1\"}"u8.ToArray(), Status = InboundStatus.Processed },
            new() { ChannelId = Channel, Source = InboundParsers.MetaWebhook, ReceivedAt = at.AddSeconds(1), Body = [0xff, 0x00, 0xfe, 0x7b], Status = InboundStatus.Unhandled },
            new()
            {
                ChannelId = Channel, Source = InboundParsers.XWebhook, ReceivedAt = at.AddSeconds(2), Body = "not json"u8.ToArray(),
                Status = InboundStatus.Quarantined, Error = "The body is not valid JSON: 'n' is an invalid start of a value. ünïcödé",
            },
            new() { ChannelId = Channel, Source = InboundParsers.XWebhook, ReceivedAt = at.AddSeconds(3), Body = [], Status = InboundStatus.Quarantined, Error = "" },
            new() { ChannelId = Guid.Empty, Source = InboundParsers.XMentions, ReceivedAt = at.AddDays(-400), Body = new byte[5_000], Status = InboundStatus.Failed, Error = "x" },
        ];
    }
}
