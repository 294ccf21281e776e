using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Channels.X;

public sealed class XWebhookTests
{
    [Fact]
    public async Task Every_captured_X_webhook_is_accepted_with_its_real_signature_and_becomes_a_message()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();

        foreach (var (name, body, signature) in Fixtures.ZammadXWebhooks())
        {
            var response = await parley.PostXWebhookAsync(channel, body, signature);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await parley.DrainInboundAsync();

        var conversations = await parley.GetJsonAsync("/api/v1/conversations?limit=50");
        var all = new List<JsonElement>();
        foreach (var c in conversations.GetProperty("items").EnumerateArray())
            all.AddRange((await parley.GetJsonAsync($"/api/v1/conversations/{c.GetProperty("id")}")).GetProperty("messages").EnumerateArray());

        // webhook2_tweet is truncated; its full text comes from extended_tweet.
        var longTweet = Assert.Single(all, m => m.GetProperty("externalId").GetString() == "1065035365336141825");
        Assert.Equal("inbound", longTweet.GetProperty("direction").GetString());
        Assert.Equal("public", longTweet.GetProperty("visibility").GetString());
        Assert.DoesNotContain("…", longTweet.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(longTweet.GetProperty("text").GetString()!.Length > 140);

        // webhook1_tweet is the account's own tweet (user 123 = for_user_id) mentioning @medenhofer: outgoing, with its photo.
        var own = Assert.Single(all, m => m.GetProperty("externalId").GetString() == "1063212927510081536");
        Assert.Equal("outbound", own.GetProperty("direction").GetString());
        Assert.Equal("https://pbs.twimg.com/media/DsFKfJRWkAAFEbo.jpg", own.GetProperty("media")[0].GetProperty("url").GetString());

        // DMs: 123 -> 456 is ours (outbound), 456 -> 123 are the customer's (inbound), all private.
        var dmOut = Assert.Single(all, m => m.GetProperty("externalId").GetString() == "1062015437679050760");
        Assert.Equal("outbound", dmOut.GetProperty("direction").GetString());
        Assert.Equal("private", dmOut.GetProperty("visibility").GetString());
        var dmIn = Assert.Single(all, m => m.GetProperty("externalId").GetString() == "1063077238797725701");
        Assert.Equal("inbound", dmIn.GetProperty("direction").GetString());
        Assert.Equal("Hello again!", dmIn.GetProperty("text").GetString());
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public async Task A_duplicated_delivery_changes_nothing()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var (_, body, signature) = Fixtures.ZammadXWebhooks().First(f => f.Name == "webhook3_direct_message");

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await parley.PostXWebhookAsync(channel, body, signature)).StatusCode);
        await parley.DrainInboundAsync();

        var messages = await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count()));
        var raw = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count()));
        var received = await parley.WithDbAsync(db => Task.FromResult(db.Events.Count(e => e.Type == "message.received")));
        Assert.Equal(1, messages);
        Assert.Equal(1, received);
        Assert.Equal(3, raw); // every delivery is kept raw, even the duplicates
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("garbage")]
    public async Task A_missing_or_wrong_signature_is_refused_and_nothing_is_stored(string? signature)
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var (_, body, _) = Fixtures.ZammadXWebhooks().First();

        var response = await parley.PostXWebhookAsync(channel, body, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));
    }

    [Fact]
    public async Task An_altered_body_does_not_verify_against_the_original_signature()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var (_, body, signature) = Fixtures.ZammadXWebhooks().First(f => f.Name == "webhook2_tweet");
        var altered = (byte[])body.Clone();
        altered[^10] ^= 0x01;

        Assert.Equal(HttpStatusCode.Unauthorized, (await parley.PostXWebhookAsync(channel, altered, signature)).StatusCode);
    }

    [Fact]
    public async Task The_CRC_check_answers_with_the_HMAC_of_the_token()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync(consumerSecret: "DDD");

        var answer = await parley.AnonymousClient().GetStringAsync($"/webhooks/x/{channel}?crc_token=some_crc_token");

        Assert.Equal("sha256=NtB9A8n6sK4dsMW+cGEkT/tjjBXmLNtgfnDdJ4LcB8I=",
            JsonDocument.Parse(answer).RootElement.GetProperty("response_token").GetString());
    }
}
