using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Conversations;

public sealed class ReplyDeliveryTests
{
    private const string CustomerTweet = "1065035365336141825"; // webhook2_tweet: @medenhofer (219826253) writes to the account

    private static async Task<(TestParley Parley, NetworkSimulator Network, Guid Conversation)> StartWithTweetAsync(string provider)
    {
        var network = await NetworkSimulator.StartAsync();
        network.RegisterXAccount("x-token", "123");
        var parley = await TestParley.StartAsync(provider);
        var channel = await parley.CreateXChannelAsync(apiBaseUrl: network.BaseAddress.ToString().TrimEnd('/'));
        var (_, body, signature) = Fixtures.ZammadXWebhooks().First(f => f.Name == "webhook2_tweet");
        Assert.Equal(HttpStatusCode.OK, (await parley.PostXWebhookAsync(channel, body, signature)).StatusCode);
        await parley.DrainInboundAsync();
        var list = await parley.GetJsonAsync("/api/v1/conversations");
        return (parley, network, list.GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    private static async Task<JsonElement> ReplyAsync(TestParley parley, Guid conversation, string text, string visibility = "public")
    {
        var response = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text, visibility });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var message = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", message.GetProperty("deliveryStatus").GetString());
        return message;
    }

    private static async Task<JsonElement> SettledAsync(TestParley parley, Guid conversation, Guid message, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < until)
        {
            var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
            var m = detail.GetProperty("messages").EnumerateArray().First(x => x.GetProperty("id").GetGuid() == message);
            if (m.GetProperty("deliveryStatus").GetString() != "pending") return m;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("The reply was still pending after the timeout.");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_public_reply_is_posted_as_a_tweet_answering_the_customer_and_marked_sent(string provider)
    {
        var (parley, network, conversation) = await StartWithTweetAsync(provider);
        await using var _ = parley;
        await using var __ = network;

        var queued = await ReplyAsync(parley, conversation, "Thanks for flagging this - we're looking into it now.");
        var sent = await SettledAsync(parley, conversation, queued.GetProperty("id").GetGuid());

        Assert.Equal("sent", sent.GetProperty("deliveryStatus").GetString());
        var call = Assert.Single(network.Calls, c => c.Method == "POST" && c.Path == "/2/tweets");
        Assert.Equal("Bearer x-token", call.Authorization);
        var body = JsonDocument.Parse(call.Body).RootElement;
        Assert.Equal(CustomerTweet, body.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.Equal(JsonDocument.Parse(call.ResponseBody!).RootElement.GetProperty("data").GetProperty("id").GetString(),
            sent.GetProperty("externalId").GetString());
        Assert.Contains(await parley.AllEventsAsync(), e => e.GetProperty("type").GetString() == "reply.sent");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_reply_is_posted_once_when_the_network_times_out_after_accepting_it(string provider)
    {
        var (parley, network, conversation) = await StartWithTweetAsync(provider);
        await using var _ = parley;
        await using var __ = network;
        network.AddFault(new Fault(Fault.TimeoutAfterAccept, "/2/tweets", Delay: TimeSpan.FromSeconds(8)));

        var queued = await ReplyAsync(parley, conversation, "We're sorry for the wait. A colleague is on it.");
        var sent = await SettledAsync(parley, conversation, queued.GetProperty("id").GetGuid(), TimeSpan.FromSeconds(30));

        Assert.Equal("sent", sent.GetProperty("deliveryStatus").GetString());
        Assert.Single(network.Calls, c => c.Method == "POST" && c.Path == "/2/tweets");
        // The second attempt looked first, found the post, and did not post again.
        Assert.Contains(network.Calls, c => c.Method == "GET" && c.Path == "/2/users/123/tweets");
        var posted = JsonDocument.Parse(network.Calls.First(c => c.Path == "/2/users/123/tweets").ResponseBody!).RootElement;
        Assert.Equal(sent.GetProperty("externalId").GetString(), posted.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_reply_refused_with_429_is_retried_after_Retry_After_and_then_sent()
    {
        var (parley, network, conversation) = await StartWithTweetAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        await using var __ = network;
        network.AddFault(new Fault(Fault.RateLimit, "/2/tweets", RetryAfterSeconds: 1));

        var queued = await ReplyAsync(parley, conversation, "Looking into it.");
        var sent = await SettledAsync(parley, conversation, queued.GetProperty("id").GetGuid());

        Assert.Equal("sent", sent.GetProperty("deliveryStatus").GetString());
        var posts = network.Calls.Where(c => c.Method == "POST" && c.Path == "/2/tweets").ToList();
        Assert.Equal([429, 201], posts.Select(p => p.Status));
        Assert.True(posts[1].At - posts[0].At >= TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After");
        // A 429 means nothing was posted, so no look-up was needed.
        Assert.DoesNotContain(network.Calls, c => c.Path == "/2/users/123/tweets");
    }

    [Fact]
    public async Task A_reply_the_network_refuses_for_good_is_marked_failed_with_the_reason()
    {
        var (parley, network, conversation) = await StartWithTweetAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        await using var __ = network;
        network.AddFault(new Fault(Fault.Status, "/2/tweets", StatusCode: 403));

        var queued = await ReplyAsync(parley, conversation, "Hello!");
        var failed = await SettledAsync(parley, conversation, queued.GetProperty("id").GetGuid());

        Assert.Equal("failed", failed.GetProperty("deliveryStatus").GetString());
        Assert.StartsWith("403", failed.GetProperty("deliveryError").GetString(), StringComparison.Ordinal);
        Assert.Contains(await parley.AllEventsAsync(), e => e.GetProperty("type").GetString() == "reply.failed");
    }

    [Fact]
    public async Task A_private_reply_on_X_is_sent_as_a_direct_message_to_the_customer()
    {
        var (parley, network, conversation) = await StartWithTweetAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        await using var __ = network;

        var queued = await ReplyAsync(parley, conversation, "Could you send us your booking reference here?", "private");
        var sent = await SettledAsync(parley, conversation, queued.GetProperty("id").GetGuid());

        Assert.Equal("sent", sent.GetProperty("deliveryStatus").GetString());
        Assert.Single(network.Calls, c => c.Method == "POST" && c.Path == "/2/dm_conversations/with/219826253/messages");
    }

    [Fact]
    public async Task A_public_X_reply_over_280_weighted_characters_is_refused_before_it_is_queued()
    {
        var (parley, network, conversation) = await StartWithTweetAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        await using var __ = network;

        // 141 CJK characters weigh 282 as X counts them, although the string has only 141 chars.
        var response = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies",
            new { text = new string('語', 141), visibility = "public" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("282", problem.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Resolving_and_reopening_change_the_status_once_and_are_logged(string provider)
    {
        var (parley, network, conversation) = await StartWithTweetAsync(provider);
        await using var _ = parley;
        await using var __ = network;

        var resolved = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null);
        var again = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null);
        Assert.Equal("resolved", (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Empty((await parley.GetJsonAsync("/api/v1/conversations?status=open")).GetProperty("items").EnumerateArray());

        await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/reopen", null);
        Assert.Single((await parley.GetJsonAsync("/api/v1/conversations?status=open")).GetProperty("items").EnumerateArray());

        var types = (await parley.AllEventsAsync())
            .Select(e => e.GetProperty("type").GetString()).Where(t => t!.StartsWith("conversation.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["conversation.created", "conversation.resolved", "conversation.reopened"], types);
    }
}
