using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Promises;

/// <summary>The missed-post sweep on a replay of the TWCS rows through the real ingest: every tweet as X's
/// Account Activity sends it, with its real 2017 timestamp (ingested from history), the brand's tweets as the
/// account's own. The missed queue then holds exactly the customer tweets that never got a brand reply.</summary>
public sealed class MissedPostsReplayTests
{
    private const string Account = "123";
    private static string Dataset => Path.Combine(AppContext.BaseDirectory, "datasets", "twcs", "twcs_first5000_rows_normalized.csv");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_replay_of_the_TWCS_rows_leaves_exactly_the_unanswered_customer_tweets_in_the_missed_queue(string provider)
    {
        // Threads with one customer who writes in no other thread: Parley joins a customer's new posts to their
        // open conversation, so a customer spread over several TWCS threads would be one conversation here.
        var threads = TwcsReplayer.Load(Dataset, maxThreads: 0);
        var customersOf = threads.Select(t => t.Tweets.Where(x => !x.ByBrand).Select(x => x.AuthorId).Distinct().ToList()).ToList();
        var threadsPerCustomer = customersOf.SelectMany(c => c).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var chosen = threads.Where((t, i) => customersOf[i].Count == 1 && threadsPerCustomer[customersOf[i][0]] == 1).ToList();
        Assert.Equal(1174, chosen.Count);
        // Every other one keeps the test under a minute per database on a small machine.
        chosen = [.. chosen.Where((_, i) => i % 2 == 0)];

        // Independently of Parley: a customer tweet is answered when a brand tweet of its thread replies to it or comes later.
        var expected = chosen.SelectMany(t => t.Tweets.Where(c => !c.ByBrand
                && !t.Tweets.Any(b => b.ByBrand && (b.CreatedAt > c.CreatedAt || b.InResponseToTweetId == c.TweetId))))
            .Select(c => XId(c.TweetId)).ToHashSet();
        Assert.InRange(expected.Count, 80, 200);

        await using var parley = await TestParley.StartAsync(provider);
        var brand = await parley.CreateBrandAsync();
        var channel = await parley.CreateXChannelAsync(brandId: brand);
        var tweets = chosen.SelectMany(t => t.Tweets.Select(x => (Thread: t, Tweet: x))).OrderBy(e => e.Tweet.CreatedAt).ThenBy(e => e.Tweet.TweetId).ToList();
        foreach (var batch in tweets.Chunk(20))
        {
            var events = new JsonArray();
            foreach (var (thread, tweet) in batch) events.Add(TweetEvent(thread, tweet));
            var body = TestParley.Json(new JsonObject { ["for_user_id"] = Account, ["tweet_create_events"] = events });
            // As X does: a delivery answered 5xx is sent again.
            var status = HttpStatusCode.ServiceUnavailable;
            for (var attempt = 0; attempt < 5 && status == HttpStatusCode.ServiceUnavailable; attempt++)
                status = (await parley.PostXWebhookAsync(channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode;
            Assert.Equal(HttpStatusCode.OK, status);
        }
        await parley.DrainInboundAsync(TimeSpan.FromSeconds(180));

        var missed = (await parley.GetJsonAsync("/api/v1/queues/missed?limit=500")).EnumerateArray().ToList();
        var found = missed.SelectMany(m => m.GetProperty("unanswered").EnumerateArray().Select(u => u.GetProperty("externalId").GetString()!)).ToList();

        var failed = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Where(e => e.Status != global::Parley.Ingest.InboundStatus.Processed)
            .Select(e => e.Status + ": " + e.Error).ToList()));
        Assert.Empty(failed);
        Assert.True(expected.SetEquals(found), $"missing {string.Join(", ", expected.Except(found))}; extra {string.Join(", ", found.Except(expected))}");
        Assert.Equal(found.Count, found.Distinct().Count());
        // However old, oldest at risk first.
        var since = missed.Select(m => m.GetProperty("awaitingReplySince").GetDateTimeOffset()).ToList();
        Assert.Equal(since.Order(), since);
        Assert.True(since[0] < new DateTimeOffset(2018, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    // Offset so they look like X ids, as the demo's replay does.
    private static string XId(long tweetId) => (1_000_000_000_000_000_000 + tweetId).ToString(CultureInfo.InvariantCulture);

    /// <summary>One tweet as X's Account Activity API delivers it: the brand's as the account's own.</summary>
    private static JsonNode TweetEvent(TwcsThread thread, TwcsTweet tweet)
    {
        var account = new SimXUser(Account, "acme", "Acme");
        SimXUser UserOf(TwcsTweet t) => t.ByBrand ? account : new SimXUser("8" + t.AuthorId, "c" + t.AuthorId, "Customer " + t.AuthorId);
        var parent = tweet.InResponseToTweetId is { } p ? thread.Tweets.FirstOrDefault(t => t.TweetId == p) : null;
        var sim = new SimTweetEvent(XId(tweet.TweetId), tweet.ByBrand ? tweet.Text : "@acme " + tweet.Text, UserOf(tweet), tweet.CreatedAt,
            parent is null ? null : XId(parent.TweetId), parent is null ? null : UserOf(parent));
        return JsonNode.Parse(XPayloads.TweetCreate(Account, sim))!["tweet_create_events"]![0]!.DeepClone();
    }
}
