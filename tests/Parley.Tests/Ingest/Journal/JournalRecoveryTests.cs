using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Ingest;
using Parley.Ingest.Journal;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests.Journal;

/// <summary>The ingest journal inside Parley on SQLite (docs/adr/0045): what it acknowledged and did not move yet is in the
/// database before the server answers again, once; ids never repeat across restarts; refusals never reach it.</summary>
public sealed class JournalRecoveryTests
{
    private static IngestWriter Writer(TestParley parley) => parley.App.Services.GetRequiredService<IngestWriter>();

    private static string JournalFolder(TestDatabase database) => database.ConnectionString + ".ingest-journal";

    [Fact]
    public async Task Deliveries_acknowledged_but_not_moved_are_in_the_database_before_the_server_answers_and_processed_once()
    {
        await using var database = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        Guid channel;
        long storedUpTo;
        await using (var first = await TestParley.StartAsync(database: database))
        {
            channel = await first.CreateXChannelAsync();
            await first.DeliverAsync(channel, TweetDelivery(Tweet("7001", "456", "ana", "@zammadhq first", T0)));
            await first.DrainInboundAsync();
            storedUpTo = await first.WithDbAsync(db => Task.FromResult(db.InboundEvents.Max(e => e.Id)));
        }

        // What a process killed right after acknowledging leaves: records in the journal that the database lacks.
        long[] ids = new long[2];
        using (var journal = IngestJournal.Open(JournalFolder(database), JournalSettings.DefaultSegmentBytes, storedUpTo, NullLogger.Instance, out _))
        {
            journal.Append([Acknowledged(channel, "7002"), Acknowledged(channel, "7003")], ids);
        }
        Assert.Equal([storedUpTo + 1, storedUpTo + 2], ids);

        await using (var second = await TestParley.StartAsync(database: database))
        {
            // Moved at start, before the server took a request: no waiting here.
            Assert.Equal(ids, await second.WithDbAsync(db => Task.FromResult(db.InboundEvents.Where(e => e.Id > storedUpTo).OrderBy(e => e.Id).Select(e => e.Id).ToList())));
            await second.DrainInboundAsync();
            Assert.Equal(["7001", "7002", "7003"], await second.WithDbAsync(db => Task.FromResult(db.Messages.OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToList())));
            Assert.Equal(0, Writer(second).Unmoved);
        }

        // A third start finds nothing more to move: each delivery is stored and processed once.
        await using (var third = await TestParley.StartAsync(database: database))
        {
            await third.DrainInboundAsync();
            Assert.Equal(3, await third.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));
            Assert.Equal(3, await third.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        }
    }

    private static InboundEvent Acknowledged(Guid channel, string tweetId) => new()
    {
        ChannelId = channel, Source = InboundParsers.XWebhook, ReceivedAt = DateTimeOffset.UtcNow,
        Body = TweetDelivery(Tweet(tweetId, "456", "ana", $"@zammadhq {tweetId}", T0.AddMinutes(1))),
    };

    [Fact]
    public async Task Ids_keep_rising_across_restarts()
    {
        await using var database = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var seen = new List<long>();
        Guid channel = default;
        for (var run = 0; run < 3; run++)
        {
            await using var parley = await TestParley.StartAsync(database: database);
            if (run == 0) channel = await parley.CreateXChannelAsync();
            for (var i = 0; i < 3; i++)
                await parley.DeliverAsync(channel, TweetDelivery(Tweet($"{8000 + run * 10 + i}", "456", "ana", "@zammadhq hi", T0)));
            await parley.WhenMovedAsync();
            seen = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.OrderBy(e => e.Id).Select(e => e.Id).ToList()));
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal((run + 1) * 3, seen.Count);
            Assert.NotNull(Writer(parley).Journal);
        }
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_before_anything_is_appended()
    {
        await using var parley = await TestParley.StartAsync(settings: new Dictionary<string, string?> { ["Parley:Ingest:MaxBodyBytes"] = "1000" });
        var channel = await parley.CreateXChannelAsync();
        var journal = Writer(parley).Journal!;
        var next = journal.NextId;
        var large = TweetDelivery(Tweet("2", "456", "ana", new string('a', 1200), T0));

        using var refused = await parley.PostXWebhookAsync(channel, large, Sign(large));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(next, journal.NextId);
    }

    [Fact]
    public async Task Turned_off_the_journal_still_moves_what_an_earlier_run_left_and_then_goes()
    {
        await using var database = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        Guid channel;
        await using (var first = await TestParley.StartAsync(database: database))
            channel = await first.CreateXChannelAsync();
        using (var journal = IngestJournal.Open(JournalFolder(database), JournalSettings.DefaultSegmentBytes, 0, NullLogger.Instance, out _))
            journal.Append([Acknowledged(channel, "9001")], new long[1]);

        var off = new Dictionary<string, string?> { ["Parley:Ingest:Journal"] = "false" };
        await using var second = await TestParley.StartAsync(database: database, settings: off);
        Assert.Null(Writer(second).Journal);
        Assert.False(Directory.Exists(JournalFolder(database)));
        await second.DeliverAsync(channel, TweetDelivery(Tweet("9002", "456", "ana", "@zammadhq hi", T0)));
        await second.DrainInboundAsync();
        Assert.Equal(["9001", "9002"], await second.WithDbAsync(db => Task.FromResult(db.Messages.OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToList())));
    }
}
