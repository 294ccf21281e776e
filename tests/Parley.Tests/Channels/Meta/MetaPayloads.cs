using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Channels.Meta;

/// <summary>Wraps the captured Meta events into whole webhook bodies and signs them as Meta does.</summary>
internal static class MetaPayloads
{
    /// <summary>The page of the botman captures.</summary>
    public const string PageId = "111899832631525";
    public const string AppSecret = "Bar";
    public const long EntryTime = 1700000000000;

    /// <summary>"sha256=" and the lowercase hex HMAC-SHA256 of the exact bytes, keyed with the app secret.</summary>
    public static string Sign(byte[] body, string appSecret = AppSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(TestParley.Utf8(appSecret), body));

    public static JsonNode Fixture(string relative) => JsonNode.Parse(Fixtures.Bytes(relative))!;

    /// <summary>A page delivery around messaging events (as jgorset's single events need).</summary>
    public static byte[] Messaging(string pageId, params JsonNode[] events) => TestParley.Json(new JsonObject
    {
        ["object"] = "page",
        ["entry"] = new JsonArray(new JsonObject { ["id"] = pageId, ["time"] = EntryTime, ["messaging"] = new JsonArray(events) }),
    });

    /// <summary>A delivery around <c>changes</c> items (feed, leadgen, Instagram comments).</summary>
    public static byte[] Changes(string objectType, string entryId, params JsonNode[] changes) => TestParley.Json(new JsonObject
    {
        ["object"] = objectType,
        ["entry"] = new JsonArray(new JsonObject { ["id"] = entryId, ["time"] = EntryTime, ["changes"] = new JsonArray(changes) }),
    });

    /// <summary>A page feed comment in the Graph API's documented "feed" change format.</summary>
    public static JsonObject FeedComment(string commentId, string postId, string parentId, string fromId, string fromName,
        string message, long createdTime) => new()
    {
        ["field"] = "feed",
        ["value"] = new JsonObject
        {
            ["from"] = new JsonObject { ["id"] = fromId, ["name"] = fromName },
            ["item"] = "comment",
            ["comment_id"] = commentId,
            ["post_id"] = postId,
            ["parent_id"] = parentId,
            ["verb"] = "add",
            ["message"] = message,
            ["created_time"] = createdTime,
        },
    };

    /// <summary>Posts a correctly signed delivery and insists that it was acknowledged.</summary>
    public static async Task DeliverMetaAsync(this TestParley parley, Guid channel, byte[] body, string what = "Meta webhook")
    {
        using var response = await parley.PostMetaWebhookAsync(channel, body, Sign(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
