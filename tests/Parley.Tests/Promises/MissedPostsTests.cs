using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class MissedPostsTests
{
    private static readonly DateTimeOffset Noon = new(2024, 6, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Threads by following each tweet's parent to the root, the way the ingest pipeline threads replies.</summary>
    private static List<PostFact> Replay(IReadOnlyList<TwcsRow> rows)
    {
        var byId = rows.ToDictionary(r => r.TweetId);
        string Root(TwcsRow row)
        {
            while (row.InResponseToTweetId is { } parent && byId.TryGetValue(parent, out var up)) row = up;
            return row.TweetId;
        }
        return [.. rows.Select(r => new PostFact(r.TweetId, Root(r), r.ByBrand ? PostDirection.Outbound : PostDirection.Inbound,
            r.CreatedAt, r.InResponseToTweetId, r.ByBrand))];
    }

    /// <summary>Independently of the replay: threads as connected components over both link columns, and a
    /// customer tweet is unanswered when no brand tweet in its thread is later. Quadratic, and obviously so.</summary>
    private static HashSet<string> UnansweredByBruteForce(IReadOnlyList<TwcsRow> rows)
    {
        var byId = rows.ToDictionary(r => r.TweetId);
        var neighbours = rows.ToDictionary(r => r.TweetId, _ => new List<string>());
        foreach (var row in rows)
        {
            foreach (var other in row.ResponseTweetIds.Append(row.InResponseToTweetId ?? "").Where(byId.ContainsKey))
            {
                neighbours[row.TweetId].Add(other);
                neighbours[other].Add(row.TweetId);
            }
        }
        var thread = new Dictionary<string, int>();
        var threads = new List<List<TwcsRow>>();
        foreach (var start in rows.Where(r => !thread.ContainsKey(r.TweetId)))
        {
            var members = new List<TwcsRow>();
            var stack = new Stack<string>([start.TweetId]);
            thread[start.TweetId] = threads.Count;
            while (stack.TryPop(out var id))
            {
                members.Add(byId[id]);
                foreach (var next in neighbours[id].Where(n => thread.TryAdd(n, threads.Count))) stack.Push(next);
            }
            threads.Add(members);
        }
        return [.. threads.SelectMany(members => members
            .Where(customer => !customer.ByBrand && !members.Any(brand => brand.ByBrand && brand.CreatedAt > customer.CreatedAt))
            .Select(customer => customer.TweetId))];
    }

    [Fact]
    public void The_sweep_finds_exactly_the_TWCS_customer_tweets_that_never_got_a_later_brand_reply()
    {
        var rows = TwcsRow.Load();
        Assert.Equal(5000, rows.Count);
        var now = rows.Max(r => r.CreatedAt).AddMinutes(1);

        var missed = MissedPosts.Find(Replay(rows), now);

        var expected = UnansweredByBruteForce(rows);
        Assert.Equal(282, expected.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), missed.Select(m => m.Post.MessageId).Order(StringComparer.Ordinal));
        Assert.All(missed, m => Assert.Equal(now - m.Post.CreatedAt, m.Waiting));
    }

    [Theory]
    // 2: "@sprintcare and how do you propose we do that" (115712), the last word of a sprintcare thread.
    [InlineData("2", true)]
    // 179: "@AskPlayStation @115743 Can I get help already??", nobody came back.
    [InlineData("179", true)]
    // 3: answered by sprintcare's tweet 1 two minutes later.
    [InlineData("3", false)]
    // 8: "@sprintcare is the worst customer service", the root of the thread, answered by tweet 6.
    [InlineData("8", false)]
    // 23: not replied to directly, but Ask_Spectrum wrote in its thread afterwards (tweet 25).
    [InlineData("23", false)]
    public void Hand_checked_TWCS_tweets_are_found_or_not(string tweetId, bool missed)
    {
        var rows = TwcsRow.Load();
        var found = MissedPosts.Find(Replay(rows), rows.Max(r => r.CreatedAt).AddMinutes(1));
        Assert.Equal(missed, found.Any(m => m.Post.MessageId == tweetId));
    }

    [Fact]
    public void Missed_TWCS_tweets_come_oldest_first_however_old_they_are()
    {
        var rows = TwcsRow.Load();
        var missed = MissedPosts.Find(Replay(rows), new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(missed.OrderBy(m => m.Post.CreatedAt).Select(m => m.Post.MessageId), missed.Select(m => m.Post.MessageId));
        // 236 "@ATVIAssist Seth_tubbs and I am on PS4" (31 Oct 2017 21:54) waited longest; 7015 (2 Dec) least.
        Assert.Equal("236", missed[0].Post.MessageId);
        Assert.Equal("7015", missed[^1].Post.MessageId);
        Assert.True(missed[0].Late > missed[^1].Late);
    }

    [Fact]
    public void A_post_still_within_the_promise_is_not_missed_yet()
    {
        var posts = new[]
        {
            Customer("old", "c1", Noon.AddHours(-3)),
            Customer("fresh", "c2", Noon.AddMinutes(-10)),
        };

        var missed = MissedPosts.Find(posts, Noon, answerWithin: TimeSpan.FromHours(1));

        var only = Assert.Single(missed);
        Assert.Equal("old", only.Post.MessageId);
        Assert.Equal(TimeSpan.FromHours(3), only.Waiting);
        Assert.Equal(TimeSpan.FromHours(2), only.Late);
    }

    [Fact]
    public void A_brand_post_before_the_customer_wrote_does_not_answer_them()
    {
        var posts = new[]
        {
            Customer("question", "c1", Noon.AddHours(-5)),
            Brand("answer", "c1", Noon.AddHours(-4), inReplyTo: "question"),
            Customer("follow-up", "c1", Noon.AddHours(-3), inReplyTo: "answer"),
        };

        var missed = MissedPosts.Find(posts, Noon);

        Assert.Equal(["follow-up"], missed.Select(m => m.Post.MessageId));
    }

    [Fact]
    public void A_brand_reply_to_the_post_itself_answers_it_even_with_a_skewed_earlier_timestamp()
    {
        var posts = new[]
        {
            Customer("question", "c1", Noon.AddHours(-2)),
            Brand("answer", "c1", Noon.AddHours(-2).AddSeconds(-5), inReplyTo: "question"),
        };

        Assert.Empty(MissedPosts.Find(posts, Noon));
    }

    [Fact]
    public void A_reply_in_another_conversation_does_not_count()
    {
        var posts = new[]
        {
            Customer("question", "c1", Noon.AddHours(-2)),
            Brand("elsewhere", "c2", Noon.AddHours(-1)),
        };

        Assert.Equal(["question"], MissedPosts.Find(posts, Noon).Select(m => m.Post.MessageId));
    }

    [Fact]
    public void Every_unanswered_message_of_a_conversation_is_listed_not_only_the_latest()
    {
        var posts = new[]
        {
            Customer("first", "c1", Noon.AddHours(-3)),
            Customer("second", "c1", Noon.AddHours(-2)),
            Customer("third", "c1", Noon.AddHours(-1)),
        };

        Assert.Equal(["first", "second", "third"], MissedPosts.Find(posts, Noon).Select(m => m.Post.MessageId));
    }

    private static PostFact Customer(string id, string conversation, DateTimeOffset at, string? inReplyTo = null) =>
        new(id, conversation, PostDirection.Inbound, at, inReplyTo, AuthorIsBrand: false);

    private static PostFact Brand(string id, string conversation, DateTimeOffset at, string? inReplyTo = null) =>
        new(id, conversation, PostDirection.Outbound, at, inReplyTo, AuthorIsBrand: true);
}
