using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

public sealed class ThreadingTests
{
    private const string Customer = "456";
    private const string Other = "789";

    [Fact]
    public async Task A_tweet_the_brands_reply_and_the_customers_answer_form_one_conversation_in_time_order()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1001", Customer, "ana", "@zammadhq my order is late", T0)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1002", Account, BrandHandle, "@ana sorry! which order?", T0.AddMinutes(5), "1001", Customer, "ana")));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1003", Customer, "ana", "@zammadhq number 77", T0.AddMinutes(9), "1002", Account, BrandHandle)));
        await parley.DrainInboundAsync();

        var conversation = await SingleConversationAsync(parley);
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["1001", "1002", "1003"], messages.Select(m => m.GetProperty("externalId").GetString()));
        Assert.Equal(["inbound", "outbound", "inbound"], messages.Select(m => m.GetProperty("direction").GetString()));
        Assert.All(messages, m => Assert.Equal("public", m.GetProperty("visibility").GetString()));
        var times = messages.Select(m => m.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal([T0, T0.AddMinutes(5), T0.AddMinutes(9)], times);
        Assert.Equal("1001", messages[1].GetProperty("inReplyToExternalId").GetString());
        Assert.Equal(Customer, conversation.GetProperty("contact").GetProperty("identities")[0].GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task A_thread_delivered_backwards_still_ends_in_one_conversation_with_the_newest_text_in_front()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1003", Customer, "ana", "@zammadhq number 77", T0.AddMinutes(9), "1002", Account, BrandHandle)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1002", Account, BrandHandle, "@ana sorry! which order?", T0.AddMinutes(5), "1001", Customer, "ana")));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("1001", Customer, "ana", "@zammadhq my order is late", T0)));
        await parley.DrainInboundAsync();

        var conversation = await SingleConversationAsync(parley);
        Assert.Equal(["1001", "1002", "1003"],
            conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()));
        var summary = Assert.Single((await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
        Assert.Equal("@zammadhq number 77", summary.GetProperty("preview").GetString());
        Assert.Equal(T0.AddMinutes(9), summary.GetProperty("lastMessageAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Another_users_reply_delivered_before_the_tweet_it_answers_joins_that_tweets_conversation()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        // Only the thread ties these two together: different authors, so no "open conversation of the customer" rule applies.
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("2002", Other, "bo", "@ana @zammadhq same here", T0.AddMinutes(1), "2001", Customer, "ana")));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("2001", Customer, "ana", "@zammadhq app is down", T0)));
        await parley.DrainInboundAsync();

        var conversation = await SingleConversationAsync(parley);
        Assert.Equal(["2001", "2002"], conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()));
    }

    [Fact]
    public async Task A_direct_message_from_a_customer_with_an_open_conversation_joins_it()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        await parley.DeliverAsync(channel, TweetDelivery(Tweet("3001", Customer, "ana", "@zammadhq I was double charged", T0)));
        await parley.DeliverAsync(channel, DirectMessageDelivery(DirectMessage("9001", Customer, Account, "here is my card's last four: 1234", T0.AddMinutes(2))));
        await parley.DrainInboundAsync();

        var conversation = await SingleConversationAsync(parley);
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["public", "private"], messages.Select(m => m.GetProperty("visibility").GetString()));
        Assert.Equal(["3001", "9001"], messages.Select(m => m.GetProperty("externalId").GetString()));
        Assert.Equal("here is my card's last four: 1234", messages[1].GetProperty("text").GetString());
        Assert.Single(conversation.GetProperty("contact").GetProperty("identities").EnumerateArray());
    }

    [Fact]
    public async Task A_customer_answering_in_the_thread_after_it_was_resolved_reopens_it()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("4001", Customer, "ana", "@zammadhq where is my parcel?", T0)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("4002", Account, BrandHandle, "@ana it arrives today", T0.AddMinutes(3), "4001", Customer, "ana")));
        await parley.DrainInboundAsync();
        var id = (await SingleConversationAsync(parley)).GetProperty("id").GetGuid();

        var resolved = await parley.Client.PostAsync($"/api/v1/conversations/{id}/resolve", null);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal("resolved", (await parley.GetJsonAsync($"/api/v1/conversations/{id}")).GetProperty("status").GetString());
        var lastEvent = await LastEventIdAsync(parley);

        await parley.DeliverAsync(channel, TweetDelivery(Tweet("4003", Customer, "ana", "@zammadhq it did not arrive", T0.AddDays(1), "4002", Account, BrandHandle)));
        await parley.DrainInboundAsync();

        var conversation = await SingleConversationAsync(parley);
        Assert.Equal(id, conversation.GetProperty("id").GetGuid());
        Assert.Equal("open", conversation.GetProperty("status").GetString());
        Assert.Equal(3, conversation.GetProperty("messages").GetArrayLength());
        var events = (await parley.GetJsonAsync($"/api/v1/events?after={lastEvent}&limit=100")).GetProperty("items").EnumerateArray().ToList();
        var reopened = Assert.Single(events, e => e.GetProperty("type").GetString() == "conversation.reopened");
        Assert.Equal($"conversations/{id}", reopened.GetProperty("subject").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "conversation.created");
    }

    [Fact]
    public async Task Two_customers_get_two_conversations()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        await parley.DeliverAsync(channel, TweetDelivery(
            Tweet("5001", Customer, "ana", "@zammadhq help", T0),
            Tweet("5002", Other, "bo", "@zammadhq help me too", T0.AddSeconds(1))));
        await parley.DrainInboundAsync();

        var items = (await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(["bo", "ana"], items.Select(i => i.GetProperty("contact").GetProperty("handle").GetString()));
        Assert.NotEqual(items[0].GetProperty("contact").GetProperty("id").GetGuid(), items[1].GetProperty("contact").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Paging_one_at_a_time_walks_every_conversation_once_newest_activity_first()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        // Delivered in an order that is neither the activity order nor its reverse.
        var minutes = new[] { 3, 1, 4, 2, 5 };
        for (var i = 0; i < minutes.Length; i++)
            await parley.DeliverAsync(channel, TweetDelivery(Tweet($"{6001 + i}", $"{700 + i}", $"user{i}", $"@zammadhq hello {i}", T0.AddMinutes(minutes[i]))));
        await parley.DrainInboundAsync();

        var seen = new List<(Guid Id, DateTimeOffset At, string Preview)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await parley.GetJsonAsync("/api/v1/conversations?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var item = Assert.Single(page.GetProperty("items").EnumerateArray());
            seen.Add((item.GetProperty("id").GetGuid(), item.GetProperty("lastMessageAt").GetDateTimeOffset(), item.GetProperty("preview").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
            Assert.True(++pages <= minutes.Length, "The cursor kept returning pages after every conversation was seen.");
        } while (cursor is not null);

        Assert.Equal(minutes.Length, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal(["@zammadhq hello 4", "@zammadhq hello 2", "@zammadhq hello 0", "@zammadhq hello 3", "@zammadhq hello 1"],
            seen.Select(s => s.Preview));
        Assert.Equal(seen.Select(s => s.At).OrderDescending(), seen.Select(s => s.At));
    }

    [Fact]
    public async Task Paging_neither_skips_nor_repeats_conversations_whose_last_activity_is_the_same_instant()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        await parley.DeliverAsync(channel, TweetDelivery([.. Enumerable.Range(0, 4).Select(i => Tweet($"{6101 + i}", $"{710 + i}", $"tie{i}", $"@zammadhq same time {i}", T0))]));
        await parley.DrainInboundAsync();

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await parley.GetJsonAsync("/api/v1/conversations?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetString();
        } while (cursor is not null && seen.Count <= 4);

        Assert.Equal(4, seen.Count);
        Assert.Equal(4, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_retweet_creates_no_message_but_is_counted()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var retweet = Tweet("7002", Customer, "ana", "RT @zammadhq: new release", T0.AddMinutes(1));
        retweet["retweeted_status"] = Tweet("7001", Account, BrandHandle, "new release", T0);

        await parley.DeliverAsync(channel, TweetDelivery(retweet));
        await parley.DrainInboundAsync();

        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        Assert.Empty((await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
        var stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.Equal(1, stats.GetProperty("unhandledEvents").GetInt32());
        Assert.Equal(1, stats.GetProperty("byStatus").GetProperty("unhandled").GetInt32());
    }

    private static async Task<JsonElement> SingleConversationAsync(TestParley parley)
    {
        var list = await parley.GetJsonAsync("/api/v1/conversations?limit=50");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        return await parley.GetJsonAsync($"/api/v1/conversations/{item.GetProperty("id").GetGuid()}");
    }

    private static async Task<string> LastEventIdAsync(TestParley parley)
    {
        string? after = null;
        while (true)
        {
            var page = await parley.GetJsonAsync("/api/v1/events?limit=1000" + (after is null ? "" : "&after=" + after));
            if (page.GetProperty("items").GetArrayLength() == 0) return after!;
            after = page.GetProperty("nextCursor").GetString();
        }
    }
}
