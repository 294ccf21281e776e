using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Channels.Meta.MetaPayloads;

namespace Parley.Tests.Channels.Meta;

/// <summary>Instagram deliveries through the Meta webhook: the chatwoot captures (no "object" field,
/// ISO timestamps; their entry id is the Instagram account) and comment changes.</summary>
public sealed class InstagramWebhookTests
{
    private const string Chatwoot = "meta/chatwoot-instagram-factories/";

    [Theory]
    [InlineData("instagram_message_create_event", "inbound", "Sender-id-1", "This is the first message from the customer", null, "2021-09-08T06:34:04Z")]
    [InlineData("instagram_message_standby_event", "inbound", "Sender-id-1", "This is the first standby message from the customer, after 24 hours.", null, "2021-09-08T06:34:04Z")]
    [InlineData("instagram_message_attachment_event", "inbound", "Sender-id-1", "", "share", "2021-09-08T06:34:04Z")]
    [InlineData("instagram_story_mention_event", "inbound", "Sender-id-1", "", "story_mention", "2021-09-08T06:34:04Z")]
    [InlineData("instagram_story_mention_event_with_echo", "outbound", "chatwoot-app-user-id-1", "", "story_mention", "2021-09-08T06:34:04Z")]
    [InlineData("instagram_story_reply_event", "inbound", "Sender-id-1", "This is the story reply", null, "2021-09-08T06:34:04Z")]
    [InlineData("instagram_test_text_event", "inbound", "12334", "random_text", null, "2018-05-27T22:23:44Z")]
    public async Task An_Instagram_message_becomes_a_private_message_of_an_Instagram_contact(
        string fixture, string direction, string customer, string text, string? mediaType, string createdAt)
    {
        await using var parley = await TestParley.StartAsync();
        var body = Fixtures.Bytes($"{Chatwoot}{fixture}.json");
        var account = JsonNode.Parse(body)!["entry"]![0]!["id"]!.GetValue<string>();
        var channel = await parley.CreateMetaChannelAsync(PageId, instagramAccountId: account);

        await parley.DeliverMetaAsync(channel, body, fixture);
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await MetaWebhookTests.ConversationsAsync(parley, channel));
        var m = Assert.Single(conversation.GetProperty("messages").EnumerateArray());
        Assert.Equal(direction, m.GetProperty("direction").GetString());
        Assert.Equal("private", m.GetProperty("visibility").GetString());
        Assert.Equal(text, m.GetProperty("text").GetString());
        Assert.Equal(DateTimeOffset.Parse(createdAt, System.Globalization.CultureInfo.InvariantCulture), m.GetProperty("createdAt").GetDateTimeOffset());
        var media = m.GetProperty("media").EnumerateArray().ToList();
        if (mediaType is null) Assert.Empty(media);
        else Assert.Equal((mediaType, "https://www.example.com/test.jpeg"), (media.Single().GetProperty("type").GetString(), media.Single().GetProperty("url").GetString()));

        var contact = await parley.GetJsonAsync($"/api/v1/contacts/{conversation.GetProperty("contact").GetProperty("id").GetGuid()}");
        var identity = Assert.Single(contact.GetProperty("identities").EnumerateArray());
        Assert.Equal(("instagram", customer), (identity.GetProperty("network").GetString(), identity.GetProperty("externalId").GetString()));
        Assert.Equal(conversation.GetProperty("id").GetGuid(), Assert.Single(contact.GetProperty("conversations").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task An_unsent_message_adds_nothing_and_the_original_stays()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId, instagramAccountId: "instagram-message-id-123");

        await parley.DeliverMetaAsync(channel, Fixtures.Bytes($"{Chatwoot}instagram_message_create_event.json"));
        await parley.DeliverMetaAsync(channel, Fixtures.Bytes($"{Chatwoot}instagram_message_unsend_event.json"));
        await parley.DrainInboundAsync();

        var m = Assert.Single(await MetaWebhookTests.MessagesAsync(parley, channel));
        Assert.Equal("message-id-1", m.GetProperty("externalId").GetString());
        Assert.Equal(1, (await parley.GetJsonAsync("/api/v1/inbound/stats")).GetProperty("unhandledEvents").GetInt32());
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count(x => x.ExternalId == "message-id-to-delete"))));
    }

    [Fact]
    public async Task A_seen_receipt_is_counted_but_is_not_a_message()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateMetaChannelAsync(PageId, instagramAccountId: "instagram-message-id-123");

        await parley.DeliverMetaAsync(channel, Fixtures.Bytes($"{Chatwoot}messaging_seen_event.json"));
        await parley.DrainInboundAsync();

        Assert.Empty(await MetaWebhookTests.MessagesAsync(parley, channel));
        Assert.Equal(1, (await parley.GetJsonAsync("/api/v1/inbound/stats")).GetProperty("unhandledEvents").GetInt32());
    }

    [Fact]
    public async Task An_Instagram_comment_is_an_inbound_public_message_and_the_accounts_reply_joins_it()
    {
        await using var parley = await TestParley.StartAsync();
        const string account = "17841400000000001";
        var channel = await parley.CreateMetaChannelAsync(PageId, instagramAccountId: account);

        await parley.DeliverMetaAsync(channel, Changes("instagram", account, Comment("17900000000000001", "9001", "carla", "Where is my order?", media: "17800000000000042")));
        await parley.DeliverMetaAsync(channel, Changes("instagram", account, Comment("17900000000000002", account, "ourshop", "@carla sent you a DM!", parent: "17900000000000001", media: "17800000000000042")));
        await parley.DrainInboundAsync();

        var conversation = Assert.Single(await MetaWebhookTests.ConversationsAsync(parley, channel));
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["inbound", "outbound"], messages.Select(m => m.GetProperty("direction").GetString()));
        Assert.All(messages, m => Assert.Equal("public", m.GetProperty("visibility").GetString()));
        Assert.Equal("Where is my order?", messages[0].GetProperty("text").GetString());
        Assert.Equal("@carla", messages[0].GetProperty("author").GetString());
        Assert.Equal("17800000000000042", messages[0].GetProperty("inReplyToExternalId").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(EntryTime), messages[0].GetProperty("createdAt").GetDateTimeOffset());
        var identity = Assert.Single(conversation.GetProperty("contact").GetProperty("identities").EnumerateArray());
        Assert.Equal(("instagram", "9001", "carla"),
            (identity.GetProperty("network").GetString(), identity.GetProperty("externalId").GetString(), identity.GetProperty("handle").GetString()));
    }

    private static JsonObject Comment(string id, string fromId, string username, string text, string media, string? parent = null)
    {
        var value = new JsonObject
        {
            ["from"] = new JsonObject { ["id"] = fromId, ["username"] = username },
            ["media"] = new JsonObject { ["id"] = media, ["media_product_type"] = "FEED" },
            ["id"] = id,
            ["text"] = text,
        };
        if (parent is not null) value["parent_id"] = parent;
        return new JsonObject { ["field"] = "comments", ["value"] = value };
    }
}
