using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Channels.Meta.MetaPayloads;

namespace Parley.Tests.Channels.Meta;

public sealed class MetaWebhookTests
{
    private const string Botman = "meta/botman-driver-facebook/";
    private const string Jgorset = "meta/jgorset-facebook-messenger/";

    [Fact]
    public async Task The_verification_handshake_echoes_the_challenge_when_the_verify_token_matches()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);
        var vector = Fixtures.Json("signature-vectors/vectors.json").GetProperty("meta_verification_handshake")[0];
        var query = vector.GetProperty("request").GetString()!.Split('?')[1];

        using var response = await parley.AnonymousClient().GetAsync($"/webhooks/meta/{channel}?{query}");

        Assert.Equal((HttpStatusCode)vector.GetProperty("expected_status").GetInt32(), response.StatusCode);
        Assert.Equal(vector.GetProperty("expected_body").GetString(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_verification_handshake_with_a_wrong_verify_token_is_refused_with_403()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);

        using var response = await parley.AnonymousClient().GetAsync(
            $"/webhooks/meta/{channel}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=leanhamhock");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("1158201444", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_botman_capture_is_accepted_and_becomes_the_right_message_or_is_counted()
    {
        await using var parley = await TestParley.StartAsync();
        var brand = await parley.CreateBrandAsync();
        // Several captures share one mid, so each goes to a channel of its own to be judged on its own.
        var expected = new Dictionary<string, (string Direction, string Text)?>
        {
            ["messenger_message_text_hi"] = ("inbound", "Hi"),
            ["messenger_message_text"] = ("inbound", "Hi Julia"),
            ["messenger_message_quick_reply"] = ("inbound", "Red"),
            ["messenger_message_with_nlp"] = ("inbound", "bye, see you tomorrow at 4pm"),
            ["messenger_postback"] = ("inbound", "MY_PAYLOAD"),
            ["messenger_message_echo"] = ("outbound", "Hi"),
            ["messenger_read"] = null, ["messenger_delivery"] = null, ["messenger_optin"] = null, ["messenger_referral"] = null,
            ["messenger_account_linking"] = null, ["messenger_checkout_update"] = null, ["messenger_unknown_event_type"] = null,
            ["messenger_empty_messaging_event"] = null,
        };
        Assert.Equal(expected.Keys.Order(), Directory.GetFiles(Fixtures.PathOf(Botman), "*.json").Select(Path.GetFileNameWithoutExtension).Order());
        var channels = new Dictionary<string, Guid>();
        foreach (var name in expected.Keys)
        {
            channels[name] = await parley.CreateMetaChannelAsync(PageId, brandId: brand);
            await parley.DeliverMetaAsync(channels[name], Fixtures.Bytes($"{Botman}{name}.json"), name);
        }
        await parley.DrainInboundAsync();

        foreach (var (name, outcome) in expected)
        {
            var messages = await MessagesAsync(parley, channels[name]);
            var raw = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Single(e => e.ChannelId == channels[name])));
            if (outcome is { } expectedMessage)
            {
                var (direction, text) = expectedMessage;
                var m = Assert.Single(messages);
                Assert.True(direction == m.GetProperty("direction").GetString(), $"{name}: {m}");
                Assert.Equal("private", m.GetProperty("visibility").GetString());
                Assert.Equal(text, m.GetProperty("text").GetString());
                Assert.Equal(0, raw.UnhandledCount);
            }
            else
            {
                Assert.True(messages.Count == 0, $"{name} became a message");
                Assert.True(raw.UnhandledCount == 1, $"{name} counted {raw.UnhandledCount} unhandled events");
                Assert.Equal(Fixtures.Bytes($"{Botman}{name}.json"), raw.Body);
            }
        }
        var textHi = Assert.Single(await MessagesAsync(parley, channels["messenger_message_text_hi"]));
        Assert.Equal("mid.1480279487147:4388d3b344", textHi.GetProperty("externalId").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1480279487147), textHi.GetProperty("createdAt").GetDateTimeOffset());
        var stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.Equal(8, stats.GetProperty("unhandledEvents").GetInt32());
        Assert.Equal(8, stats.GetProperty("byStatus").GetProperty("unhandled").GetInt32());
        Assert.Equal(6, stats.GetProperty("byStatus").GetProperty("processed").GetInt32());
    }

    [Fact]
    public async Task The_published_signature_vector_verifies_and_the_body_with_one_byte_changed_does_not()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId, appSecret: "Bar");
        var vector = Fixtures.Json("signature-vectors/vectors.json").GetProperty("meta_x_hub_signature").EnumerateArray()
            .Single(v => v.GetProperty("header").GetString() == "X-Hub-Signature-256");
        var body = Fixtures.Bytes(Path.Combine("signature-vectors", vector.GetProperty("raw_body_file").GetString()!));
        var signature = vector.GetProperty("expected").GetString()!;
        Assert.Equal(signature, Sign(body, vector.GetProperty("app_secret").GetString()!));
        var altered = (byte[])body.Clone();
        altered[Array.IndexOf(altered, (byte)'H')] = (byte)'h';

        using var refused = await parley.PostMetaWebhookAsync(channel, altered, signature);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));

        using var accepted = await parley.PostMetaWebhookAsync(channel, body, signature);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await parley.DrainInboundAsync();
        Assert.Equal("Hi", Assert.Single(await MessagesAsync(parley, channel)).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("message__payload", "inbound", "3", "image", "https://www.example.com/1.jpg")]
    [InlineData("message__audio_payload", "inbound", "8", "audio", "https://www.example.com/4.ogg")]
    [InlineData("message__video_payload", "inbound", "5", "video", "https://www.example.com/2.mp4")]
    [InlineData("message__file_payload", "inbound", "5", "file", "https://www.example.com/3.pdf")]
    [InlineData("message__location_payload", "inbound", "6", null, null)]
    [InlineData("message_echo__payload", "outbound", "3", "image", "https://www.example.com/1.jpg")]
    [InlineData("message_echo__audio_payload", "outbound", "9", "audio", "https://www.example.com/4.ogg")]
    [InlineData("message_echo__video_payload", "outbound", "7", "video", "https://www.example.com/2.mp4")]
    [InlineData("message_echo__file_payload", "outbound", "7", "file", "https://www.example.com/3.pdf")]
    public async Task A_messenger_message_keeps_its_attachments_and_echoes_are_the_pages_own(
        string fixture, string direction, string customer, string? mediaType, string? url)
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);
        var source = Fixture($"{Jgorset}{fixture}.json");
        var mid = source["message"]!["mid"]!.GetValue<string>();

        await parley.DeliverMetaAsync(channel, Messaging(PageId, source));
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await ConversationsAsync(parley, channel));
        var m = Assert.Single(conversation.GetProperty("messages").EnumerateArray());
        Assert.Equal(direction, m.GetProperty("direction").GetString());
        Assert.Equal("private", m.GetProperty("visibility").GetString());
        Assert.Equal(mid, m.GetProperty("externalId").GetString());
        var media = m.GetProperty("media").EnumerateArray().Select(x => (x.GetProperty("type").GetString(), x.GetProperty("url").GetString())).ToList();
        Assert.Equal(mediaType is null ? [] : [(mediaType, url)], media);
        var identity = Assert.Single(conversation.GetProperty("contact").GetProperty("identities").EnumerateArray());
        Assert.Equal(("facebook", customer), (identity.GetProperty("network").GetString(), identity.GetProperty("externalId").GetString()));
        if (fixture is "message__payload" or "message_echo__payload")
            Assert.Equal("Hello, bot!", m.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_visitors_post_on_the_page_becomes_an_inbound_public_message()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);

        await parley.DeliverMetaAsync(channel, Changes("page", PageId, Fixture($"{Jgorset}feed__payload.json")));
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await ConversationsAsync(parley, channel));
        var m = Assert.Single(conversation.GetProperty("messages").EnumerateArray());
        Assert.Equal(("inbound", "public", "post 8"), (m.GetProperty("direction").GetString(), m.GetProperty("visibility").GetString(), m.GetProperty("text").GetString()));
        Assert.Equal("100518329516574_194260390126069", m.GetProperty("externalId").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1682963527), m.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal("Vit Service", conversation.GetProperty("contact").GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task The_pages_own_post_and_a_leadgen_change_are_counted_but_are_not_messages()
    {
        await using var parley = await TestParley.StartAsync();
        // In the capture the author is the page itself (the post id starts with its id).
        var channel = await parley.CreateMetaChannelAsync("100518329516574");

        await parley.DeliverMetaAsync(channel, Changes("page", "100518329516574",
            Fixture($"{Jgorset}feed__payload.json"), Fixture($"{Jgorset}leadgen__payload.json")));
        await parley.DrainInboundAsync();

        Assert.Empty(await ConversationsAsync(parley, channel));
        Assert.Equal(2, (await parley.GetJsonAsync("/api/v1/inbound/stats")).GetProperty("unhandledEvents").GetInt32());
    }

    [Fact]
    public async Task Comments_in_one_thread_on_a_page_post_are_one_conversation_with_the_pages_reply_outbound()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);
        const string post = PageId + "_555000";

        await parley.DeliverMetaAsync(channel, Changes("page", PageId, FeedComment("555000_1", post, post, "7001", "Ann Visitor", "Is the shop open on Sunday?", 1700000100)));
        await parley.DeliverMetaAsync(channel, Changes("page", PageId, FeedComment("555000_2", post, "555000_1", "7002", "Ben Other", "I wonder too", 1700000200)));
        await parley.DeliverMetaAsync(channel, Changes("page", PageId, FeedComment("555000_3", post, "555000_1", PageId, "The Page", "Yes, 10 to 4!", 1700000300)));
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await ConversationsAsync(parley, channel));
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["555000_1", "555000_2", "555000_3"], messages.Select(m => m.GetProperty("externalId").GetString()));
        Assert.Equal(["inbound", "inbound", "outbound"], messages.Select(m => m.GetProperty("direction").GetString()));
        Assert.All(messages, m => Assert.Equal("public", m.GetProperty("visibility").GetString()));
        Assert.Equal([post, "555000_1", "555000_1"], messages.Select(m => m.GetProperty("inReplyToExternalId").GetString()));
        Assert.Equal("Yes, 10 to 4!", messages[2].GetProperty("text").GetString());
        Assert.Equal("Ann Visitor", conversation.GetProperty("contact").GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task The_pages_reply_delivered_before_the_comment_it_answers_is_not_lost()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId);
        const string post = PageId + "_556000";

        await parley.DeliverMetaAsync(channel, Changes("page", PageId, FeedComment("556000_2", post, "556000_1", PageId, "The Page", "We are on it", 1700000200)));
        await parley.DeliverMetaAsync(channel, Changes("page", PageId, FeedComment("556000_1", post, post, "7001", "Ann Visitor", "My order never came", 1700000100)));
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await ConversationsAsync(parley, channel));
        Assert.Equal(["556000_1", "556000_2"], conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()));
    }

    /// <summary>Every conversation on the channel, in full.</summary>
    internal static async Task<List<JsonElement>> ConversationsAsync(TestParley parley, Guid channel)
    {
        var list = await parley.GetJsonAsync("/api/v1/conversations?limit=200");
        var result = new List<JsonElement>();
        foreach (var item in list.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("channelId").GetGuid() == channel))
            result.Add(await parley.GetJsonAsync($"/api/v1/conversations/{item.GetProperty("id").GetGuid()}"));
        return result;
    }

    internal static async Task<List<JsonElement>> MessagesAsync(TestParley parley, Guid channel) =>
        (await ConversationsAsync(parley, channel)).SelectMany(c => c.GetProperty("messages").EnumerateArray()).ToList();
}
