using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Demo;

/// <summary>What the demo does, end to end over real sockets: the simulator replays real TWCS
/// threads as signed X and Messenger webhooks, and Parley threads them into conversations.</summary>
public sealed class DatasetReplayTests
{
    private static string Dataset => Path.Combine(AppContext.BaseDirectory, "datasets", "twcs", "twcs_first5000_rows_normalized.csv");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Replayed_customer_support_threads_become_conversations_with_the_brands_replies_as_outbound(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider, kestrel: true);
        var brand = await parley.CreateBrandAsync();
        var x = await parley.CreateXChannelAsync(accountId: "900", consumerSecret: "x-secret", brandId: brand);
        var meta = await parley.CreateMetaChannelAsync("555", appSecret: "meta-secret", brandId: brand);
        var threads = TwcsReplayer.Load(Dataset, maxThreads: 0).OrderByDescending(t => t.StartedAt).Take(24).OrderBy(t => t.StartedAt).ToList();
        var expectedTweets = threads.Sum(t => t.Tweets.Count);

        var summary = await new TwcsReplayer().ReplayAsync(
            new ReplayTarget(new Uri(parley.App.Urls.First()), x, "x-secret", "900", "ParleyAir", meta, "meta-secret", "555"),
            threads, speedup: 1_000_000, CancellationToken.None);
        await parley.DrainInboundAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, summary.Failed);
        var (conversations, inbound, outbound, metaConversations) = await parley.WithDbAsync(async db => (
            await db.Conversations.CountAsync(),
            await db.Messages.CountAsync(m => m.Direction == MessageDirection.Inbound),
            await db.Messages.CountAsync(m => m.Direction == MessageDirection.Outbound),
            await db.Conversations.CountAsync(c => c.ChannelId == meta)));
        Assert.Equal(expectedTweets, inbound + outbound);
        Assert.True(outbound > 0, "the brand's replies arrive as its own outgoing messages");
        Assert.True(metaConversations > 0, "some threads arrive through Messenger");
        Assert.InRange(conversations, threads.Count / 2, threads.Count * 2);
    }
}
