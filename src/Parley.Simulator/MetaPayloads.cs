using System.Globalization;
using System.Text.Json;

namespace Parley.Simulator;

/// <summary>Builds Meta webhook deliveries (object <c>page</c>) in the shape of real captures: Messenger
/// <c>entry[].messaging[]</c> events and Page <c>feed</c> changes. Sign the returned bytes with
/// <see cref="MetaWebhookSigner"/> and send them unchanged.</summary>
public static class MetaPayloads
{
    /// <summary>A Messenger text message between a user (<paramref name="senderId"/>, a page-scoped id) and the page.</summary>
    /// <param name="echo">When true the message is the page's own (sent from the Page inbox or another app):
    /// Meta then delivers it as an echo with <c>is_echo: true</c>, the page as sender and the user as recipient.</param>
    public static byte[] MessengerText(string pageId, string senderId, string mid, string text, DateTimeOffset at, bool echo = false) => Write(w =>
    {
        var millis = at.ToUnixTimeMilliseconds();
        w.WriteStartObject();
        w.WriteString("object", "page");
        w.WriteStartArray("entry");
        w.WriteStartObject();
        w.WriteString("id", pageId);
        w.WriteNumber("time", millis);
        w.WriteStartArray("messaging");
        w.WriteStartObject();
        IdObject(w, "sender", echo ? pageId : senderId);
        IdObject(w, "recipient", echo ? senderId : pageId);
        w.WriteNumber("timestamp", millis);
        w.WriteStartObject("message");
        if (echo) w.WriteBoolean("is_echo", true);
        w.WriteString("mid", mid);
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>A comment added on a Page post (a <c>feed</c> change with <c>item: comment</c>, <c>verb: add</c>).</summary>
    /// <param name="postId">The post, <c>&lt;page&gt;_&lt;post&gt;</c>.</param>
    /// <param name="parentId">The comment this one answers; null for a top-level comment, whose parent is the post.</param>
    public static byte[] FeedComment(
        string pageId, string commentId, string postId, string? parentId, string fromId, string fromName, string message, DateTimeOffset at) => Write(w =>
    {
        var seconds = at.ToUnixTimeSeconds();
        w.WriteStartObject();
        w.WriteString("object", "page");
        w.WriteStartArray("entry");
        w.WriteStartObject();
        w.WriteString("id", pageId);
        w.WriteNumber("time", seconds);
        w.WriteStartArray("changes");
        w.WriteStartObject();
        w.WriteStartObject("value");
        w.WriteStartObject("from");
        w.WriteString("id", fromId);
        w.WriteString("name", fromName);
        w.WriteEndObject();
        w.WriteStartObject("post");
        w.WriteString("status_type", "mobile_status_update");
        w.WriteBoolean("is_published", true);
        w.WriteString("updated_time", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture));
        w.WriteString("permalink_url", "https://www.facebook.com/" + postId);
        w.WriteString("promotion_status", "inactive");
        w.WriteString("id", postId);
        w.WriteEndObject();
        w.WriteString("message", message);
        w.WriteString("post_id", postId);
        w.WriteString("comment_id", commentId);
        w.WriteNumber("created_time", seconds);
        w.WriteString("item", "comment");
        w.WriteString("parent_id", parentId ?? postId);
        w.WriteString("verb", "add");
        w.WriteEndObject();
        w.WriteString("field", "feed");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void IdObject(Utf8JsonWriter w, string name, string id)
    {
        w.WriteStartObject(name);
        w.WriteString("id", id);
        w.WriteEndObject();
    }

    // Meta escapes non-ASCII text in its JSON; System.Text.Json's default encoder does the same.
    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return buffer.ToArray();
    }
}
