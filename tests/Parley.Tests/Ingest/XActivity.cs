using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.IngestTests;

/// <summary>Builds X Account Activity deliveries in the shape of the Zammad captures (account 123,
/// consumer secret "DDD") and signs them as X does.</summary>
internal static class XActivity
{
    public const string Account = "123";
    public const string BrandHandle = "zammadhq";
    public static readonly DateTimeOffset T0 = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>"sha256=" and the base64 HMAC-SHA256 of the exact bytes, keyed with the consumer secret.</summary>
    public static string Sign(byte[] body, string consumerSecret = "DDD") =>
        "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(TestParley.Utf8(consumerSecret), body));

    /// <summary>A tweet as tweet_create_events carries it. Ids are numeric strings, as X's are.</summary>
    public static JsonObject Tweet(string id, string userId, string screenName, string text, DateTimeOffset at,
        string? inReplyToStatus = null, string? inReplyToUser = null, string? inReplyToScreenName = null)
    {
        var mentionId = inReplyToUser ?? (userId == Account ? null : Account);
        var mentionName = inReplyToScreenName ?? (userId == Account ? null : BrandHandle);
        return new JsonObject
        {
            ["created_at"] = at.ToString("ddd MMM dd HH:mm:ss +0000 yyyy", CultureInfo.InvariantCulture),
            ["id"] = long.Parse(id, CultureInfo.InvariantCulture),
            ["id_str"] = id,
            ["text"] = text,
            ["source"] = "<a href=\"http://twitter.com\" rel=\"nofollow\">Twitter Web Client</a>",
            ["truncated"] = false,
            ["in_reply_to_status_id"] = inReplyToStatus is null ? null : long.Parse(inReplyToStatus, CultureInfo.InvariantCulture),
            ["in_reply_to_status_id_str"] = inReplyToStatus,
            ["in_reply_to_user_id"] = inReplyToUser is null ? null : long.Parse(inReplyToUser, CultureInfo.InvariantCulture),
            ["in_reply_to_user_id_str"] = inReplyToUser,
            ["in_reply_to_screen_name"] = inReplyToScreenName,
            ["user"] = new JsonObject
            {
                ["id"] = long.Parse(userId, CultureInfo.InvariantCulture),
                ["id_str"] = userId,
                ["name"] = screenName.ToUpperInvariant(),
                ["screen_name"] = screenName,
                ["verified"] = false,
                ["followers_count"] = 42,
            },
            ["geo"] = null,
            ["is_quote_status"] = false,
            ["entities"] = new JsonObject
            {
                ["hashtags"] = new JsonArray(),
                ["urls"] = new JsonArray(),
                ["user_mentions"] = mentionId is null ? new JsonArray() : new JsonArray(new JsonObject
                {
                    ["screen_name"] = mentionName,
                    ["name"] = mentionName,
                    ["id"] = long.Parse(mentionId, CultureInfo.InvariantCulture),
                    ["id_str"] = mentionId,
                    ["indices"] = new JsonArray(0, 1 + (mentionName?.Length ?? 0)),
                }),
                ["symbols"] = new JsonArray(),
            },
            ["favorited"] = false,
            ["retweeted"] = false,
            ["lang"] = "en",
            ["timestamp_ms"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A direct message as direct_message_events carries it.</summary>
    public static JsonObject DirectMessage(string id, string senderId, string recipientId, string text, DateTimeOffset at) => new()
    {
        ["type"] = "message_create",
        ["id"] = id,
        ["created_timestamp"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ["message_create"] = new JsonObject
        {
            ["target"] = new JsonObject { ["recipient_id"] = recipientId },
            ["sender_id"] = senderId,
            ["message_data"] = new JsonObject
            {
                ["text"] = text,
                ["entities"] = new JsonObject { ["hashtags"] = new JsonArray(), ["symbols"] = new JsonArray(), ["user_mentions"] = new JsonArray(), ["urls"] = new JsonArray() },
            },
        },
    };

    public static byte[] TweetDelivery(params JsonObject[] tweets) => TestParley.Json(new JsonObject
    {
        ["for_user_id"] = Account,
        ["tweet_create_events"] = new JsonArray([.. tweets]),
    });

    public static byte[] DirectMessageDelivery(params JsonObject[] messages) => TestParley.Json(new JsonObject
    {
        ["for_user_id"] = Account,
        ["direct_message_events"] = new JsonArray([.. messages]),
    });

    /// <summary>Posts a correctly signed delivery and insists that it was acknowledged.</summary>
    public static async Task DeliverAsync(this TestParley parley, Guid channel, byte[] body)
    {
        using var response = await parley.PostXWebhookAsync(channel, body, Sign(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"X webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
