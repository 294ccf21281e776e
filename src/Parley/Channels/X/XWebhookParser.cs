using System.Text.Json;
using Parley.Conversations;
using Parley.Ingest;
using static Parley.Ingest.PayloadReader;

namespace Parley.Channels.X;

/// <summary>Reads X Account Activity API deliveries (the v1.1 formats in the captured payloads):
/// <c>tweet_create_events</c> and <c>direct_message_events</c>. Other event kinds are counted as unhandled.</summary>
public static class XWebhookParser
{
    public static ParsedDelivery Parse(byte[] body, XSettings settings)
    {
        using var doc = PayloadReader.Parse(body);
        var root = RootObject(doc);
        var account = OptionalId(root, "for_user_id", "$") ?? settings.AccountId;
        var items = new List<InboundItem>();
        var unhandled = 0;

        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "for_user_id" or "user_has_blocked" or "apps" or "users" or "source":
                    break;
                case "tweet_create_events":
                    var i = 0;
                    foreach (var tweet in OptionalArray(root, property.Name, "$") ?? default)
                    {
                        var item = ReadTweet(tweet, account, $"$.tweet_create_events[{i++}]");
                        if (item is null) unhandled++;
                        else items.Add(item);
                    }
                    break;
                case "direct_message_events":
                    var users = Optional(root, "users");
                    var j = 0;
                    foreach (var dm in OptionalArray(root, property.Name, "$") ?? default)
                    {
                        var item = ReadDirectMessage(dm, account, users, $"$.direct_message_events[{j++}]");
                        if (item is null) unhandled++;
                        else items.Add(item);
                    }
                    break;
                default:
                    // favorite_events, follow_events, tweet_delete_events, typing indicators, and whatever X adds next.
                    unhandled += property.Value.ValueKind == JsonValueKind.Array ? property.Value.GetArrayLength() : 1;
                    break;
            }
        }
        return new ParsedDelivery(items, unhandled);
    }

    /// <returns>null for tweets that start no conversation: retweets, and the brand's own posts addressed to nobody.</returns>
    public static InboundItem? ReadTweet(JsonElement tweet, string account, string path)
    {
        if (tweet.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}' must be an object.");
        var id = OptionalId(tweet, "id_str", path) ?? RequiredId(tweet, "id", path);
        var user = RequiredObject(tweet, "user", path);
        var author = ReadUser(user, $"{path}.user");
        var text = OptionalString(tweet, "text", path) ?? OptionalString(tweet, "full_text", path) ?? "";
        if (Optional(tweet, "extended_tweet") is { ValueKind: JsonValueKind.Object } extended)
            text = OptionalString(extended, "full_text", $"{path}.extended_tweet") ?? text;
        if (Optional(tweet, "retweeted_status") is not null) return null;

        var createdAt = OptionalTime(tweet, "timestamp_ms", path) ?? OptionalTime(tweet, "created_at", path)
            ?? throw new MalformedPayloadException($"'{path}' has neither 'timestamp_ms' nor 'created_at'.");
        var inReplyTo = OptionalId(tweet, "in_reply_to_status_id_str", path) ?? OptionalId(tweet, "in_reply_to_status_id", path);

        Party customer;
        MessageDirection direction;
        if (author.ExternalId == account)
        {
            direction = MessageDirection.Outbound;
            var addressee = AddresseeOf(tweet, path);
            if (addressee is null) return null;
            customer = addressee;
        }
        else
        {
            direction = MessageDirection.Inbound;
            customer = author;
        }
        return new InboundItem(id, direction, MessageVisibility.Public, customer, "@" + author.Handle, text,
            createdAt, inReplyTo, ReadMedia(tweet));
    }

    private static Party? AddresseeOf(JsonElement tweet, string path)
    {
        if ((OptionalId(tweet, "in_reply_to_user_id_str", path) ?? OptionalId(tweet, "in_reply_to_user_id", path)) is { } replyTo)
            return new Party("x", replyTo, OptionalString(tweet, "in_reply_to_screen_name", path), null);
        if (Optional(tweet, "entities") is { ValueKind: JsonValueKind.Object } entities
            && OptionalArray(entities, "user_mentions", $"{path}.entities") is { } mentions)
        {
            foreach (var mention in mentions)
            {
                var mentionId = OptionalId(mention, "id_str", $"{path}.entities.user_mentions") ?? OptionalId(mention, "id", $"{path}.entities.user_mentions");
                if (mentionId is not null)
                    return new Party("x", mentionId, OptionalString(mention, "screen_name", path), OptionalString(mention, "name", path));
            }
        }
        return null;
    }

    private static Party ReadUser(JsonElement user, string path) => new(
        "x",
        OptionalId(user, "id_str", path) ?? RequiredId(user, "id", path),
        OptionalString(user, "screen_name", path),
        OptionalString(user, "name", path),
        OptionalInt(user, "followers_count"),
        OptionalBool(user, "verified"));

    private static List<MediaItem> ReadMedia(JsonElement tweet)
    {
        var media = new List<MediaItem>();
        var source = Optional(tweet, "extended_entities") ?? Optional(tweet, "entities");
        if (Optional(tweet, "extended_tweet") is { ValueKind: JsonValueKind.Object } extended)
            source = Optional(extended, "extended_entities") ?? Optional(extended, "entities") ?? source;
        if (source is { ValueKind: JsonValueKind.Object } s && Optional(s, "media") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var m in list.EnumerateArray())
            {
                if (m.ValueKind == JsonValueKind.Object && OptionalString(m, "media_url_https", "media") is { } url)
                    media.Add(new MediaItem(OptionalString(m, "type", "media") ?? "photo", url));
            }
        }
        return media;
    }

    /// <returns>null for DM events that are not messages (X has sent other types over the years).</returns>
    public static InboundItem? ReadDirectMessage(JsonElement dm, string account, JsonElement? users, string path)
    {
        if (dm.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}' must be an object.");
        if (OptionalString(dm, "type", path) is { } type && type != "message_create") return null;
        var id = RequiredId(dm, "id", path);
        var create = RequiredObject(dm, "message_create", path);
        var sender = RequiredId(create, "sender_id", $"{path}.message_create");
        var recipient = RequiredId(RequiredObject(create, "target", $"{path}.message_create"), "recipient_id", $"{path}.message_create.target");
        var data = RequiredObject(create, "message_data", $"{path}.message_create");
        var text = OptionalString(data, "text", $"{path}.message_create.message_data") ?? "";
        var createdAt = OptionalTime(dm, "created_timestamp", path)
            ?? throw new MalformedPayloadException($"'{path}.created_timestamp' is required.");

        var outbound = sender == account;
        var customerId = outbound ? recipient : sender;
        var customer = users is { ValueKind: JsonValueKind.Object } u && u.TryGetProperty(customerId, out var profile)
            ? ReadUser(profile, $"$.users.{customerId}")
            : new Party("x", customerId, null, null);
        var authorHandle = outbound
            ? (users is { ValueKind: JsonValueKind.Object } u2 && u2.TryGetProperty(sender, out var me) ? OptionalString(me, "screen_name", "$.users") : null) ?? account
            : customer.Handle ?? customerId;

        var media = new List<MediaItem>();
        if (Optional(data, "attachment") is { ValueKind: JsonValueKind.Object } attachment
            && Optional(attachment, "media") is { ValueKind: JsonValueKind.Object } m
            && OptionalString(m, "media_url_https", path) is { } url)
            media.Add(new MediaItem(OptionalString(m, "type", path) ?? "photo", url));

        return new InboundItem(id, outbound ? MessageDirection.Outbound : MessageDirection.Inbound, MessageVisibility.Private,
            customer, "@" + authorHandle, text, createdAt, null, media);
    }
}
