using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Parley.Simulator;

/// <summary>Builds Account Activity API deliveries in the exact shape of real captures (see the Zammad
/// fixtures): v1.1 tweet objects for <c>tweet_create_events</c>, <c>direct_message_events</c> with a
/// <c>users</c> map. The bytes are final: sign them with <see cref="XWebhookSigner"/> and send them unchanged.</summary>
public static class XPayloads
{
    private const int ClassicLimit = 140;
    private const string WebApp = "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>";
    private const string WebAppId = "3033300";

    public static byte[] TweetCreate(string forUserId, SimTweetEvent t) => XJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("for_user_id", forUserId);
        if (t.User.Id != forUserId) w.WriteBoolean("user_has_blocked", false);
        w.WriteStartArray("tweet_create_events");
        WriteTweet(w, t);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] DirectMessage(string forUserId, SimDmEvent dm) => XJson.Write(w =>
    {
        var sent = dm.Sender.Id == forUserId;
        w.WriteStartObject();
        w.WriteString("for_user_id", forUserId);
        w.WriteStartArray("direct_message_events");
        w.WriteStartObject();
        w.WriteString("type", "message_create");
        w.WriteString("id", dm.Id);
        w.WriteString("created_timestamp", Millis(dm.CreatedAt));
        w.WriteStartObject("message_create");
        w.WriteStartObject("target");
        w.WriteString("recipient_id", dm.Recipient.Id);
        w.WriteEndObject();
        w.WriteString("sender_id", dm.Sender.Id);
        if (sent) w.WriteString("source_app_id", WebAppId);
        w.WriteStartObject("message_data");
        w.WriteString("text", dm.Text);
        XEntities.Write(w, XEntities.Find(dm.Text, Resolver([dm.Sender, dm.Recipient])), dmOrder: true);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        if (sent)
        {
            w.WriteStartObject("apps");
            w.WriteStartObject(WebAppId);
            w.WriteString("id", WebAppId);
            w.WriteString("name", "Twitter Web App");
            w.WriteString("url", "https://mobile.twitter.com");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteStartObject("users");
        foreach (var user in new[] { dm.Sender, dm.Recipient }.DistinctBy(u => u.Id)) WriteDmUser(w, user);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteTweet(Utf8JsonWriter w, SimTweetEvent t)
    {
        var resolve = Resolver([t.User, .. t.InReplyToUser is null ? Array.Empty<SimXUser>() : [t.InReplyToUser], .. t.MentionedUsers ?? []]);
        var found = XEntities.Find(t.Text, resolve);
        var length = XEntities.CodePoints(t.Text, t.Text.Length);
        var truncated = length > ClassicLimit;
        // Replies hide their leading @mentions: the visible text starts after them.
        var displayStart = t.InReplyToStatusId is null ? 0 : LeadingMentionsEnd(t.Text, found);

        w.WriteStartObject();
        w.WriteString("created_at", t.CreatedAt.UtcDateTime.ToString("ddd MMM dd HH:mm:ss '+0000' yyyy", CultureInfo.InvariantCulture));
        XJson.Id(w, "id", t.Id);
        w.WriteString("id_str", t.Id);
        string? link = null;
        int shortEnd = 0;
        if (truncated)
        {
            // Classic 140-character text: a prefix, an ellipsis and a link to the full tweet, as X sends longer tweets.
            var prefix = string.Concat(t.Text.EnumerateRunes().Take(ClassicLimit - 25).Select(r => r.ToString())).TrimEnd() + "…";
            shortEnd = XEntities.CodePoints(prefix, prefix.Length);
            link = "https://t.co/" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(8)).Replace('+', 'x').Replace('/', 'y')[..10];
            w.WriteString("text", prefix + " " + link);
        }
        else
        {
            w.WriteString("text", t.Text);
            w.WriteStartArray("display_text_range");
            w.WriteNumberValue(displayStart);
            w.WriteNumberValue(length);
            w.WriteEndArray();
        }
        w.WriteString("source", WebApp);
        w.WriteBoolean("truncated", truncated);
        XJson.Id(w, "in_reply_to_status_id", t.InReplyToStatusId);
        Nullable(w, "in_reply_to_status_id_str", t.InReplyToStatusId);
        XJson.Id(w, "in_reply_to_user_id", t.InReplyToUser?.Id);
        Nullable(w, "in_reply_to_user_id_str", t.InReplyToUser?.Id);
        Nullable(w, "in_reply_to_screen_name", t.InReplyToUser?.ScreenName);
        WriteTweetUser(w, t.User, t.CreatedAt);
        foreach (var name in new[] { "geo", "coordinates", "place", "contributors" }) w.WriteNull(name);
        w.WriteBoolean("is_quote_status", false);
        if (truncated)
        {
            w.WriteStartObject("extended_tweet");
            w.WriteString("full_text", t.Text);
            w.WriteStartArray("display_text_range");
            w.WriteNumberValue(displayStart);
            w.WriteNumberValue(length);
            w.WriteEndArray();
            XEntities.Write(w, found, dmOrder: false);
            w.WriteEndObject();
        }
        foreach (var name in new[] { "quote_count", "reply_count", "retweet_count", "favorite_count" }) w.WriteNumber(name, 0);
        if (truncated)
        {
            var visible = found.Within(shortEnd);
            visible.Urls.Add(new XEntities.Entity(link!, shortEnd + 1, shortEnd + 1 + link!.Length,
                Expanded: $"https://twitter.com/i/web/status/{t.Id}", Display: $"twitter.com/i/web/status/{t.Id[..1]}…"));
            XEntities.Write(w, visible, dmOrder: false);
        }
        else
        {
            XEntities.Write(w, found, dmOrder: false);
        }
        w.WriteBoolean("favorited", false);
        w.WriteBoolean("retweeted", false);
        w.WriteString("filter_level", "low");
        w.WriteString("lang", "en");
        w.WriteString("timestamp_ms", Millis(t.CreatedAt));
        w.WriteEndObject();
    }

    private static void WriteTweetUser(Utf8JsonWriter w, SimXUser u, DateTimeOffset seenAt)
    {
        w.WriteStartObject("user");
        XJson.Id(w, "id", u.Id);
        w.WriteString("id_str", u.Id);
        w.WriteString("name", u.Name);
        w.WriteString("screen_name", u.ScreenName);
        w.WriteNull("location");
        w.WriteNull("url");
        w.WriteNull("description");
        w.WriteString("translator_type", "none");
        w.WriteBoolean("protected", false);
        w.WriteBoolean("verified", u.Verified);
        w.WriteNumber("followers_count", u.FollowersCount);
        foreach (var name in new[] { "friends_count", "listed_count", "favourites_count", "statuses_count" }) w.WriteNumber(name, 0);
        w.WriteString("created_at", seenAt.AddYears(-3).UtcDateTime.ToString("ddd MMM dd HH:mm:ss '+0000' yyyy", CultureInfo.InvariantCulture));
        w.WriteNull("utc_offset");
        w.WriteNull("time_zone");
        w.WriteBoolean("geo_enabled", false);
        w.WriteNull("lang");
        w.WriteBoolean("contributors_enabled", false);
        w.WriteBoolean("is_translator", false);
        w.WriteString("profile_background_color", "F5F8FA");
        w.WriteString("profile_background_image_url", "");
        w.WriteString("profile_background_image_url_https", "");
        w.WriteBoolean("profile_background_tile", false);
        w.WriteString("profile_link_color", "1DA1F2");
        w.WriteString("profile_sidebar_border_color", "C0DEED");
        w.WriteString("profile_sidebar_fill_color", "DDEEF6");
        w.WriteString("profile_text_color", "333333");
        w.WriteBoolean("profile_use_background_image", true);
        w.WriteString("profile_image_url", "http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
        w.WriteString("profile_image_url_https", "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
        w.WriteBoolean("default_profile", true);
        w.WriteBoolean("default_profile_image", true);
        foreach (var name in new[] { "following", "follow_request_sent", "notifications" }) w.WriteNull(name);
        w.WriteEndObject();
    }

    private static void WriteDmUser(Utf8JsonWriter w, SimXUser u)
    {
        w.WriteStartObject(u.Id);
        w.WriteString("id", u.Id);
        w.WriteString("created_timestamp", "1476091912921");
        w.WriteString("name", u.Name);
        w.WriteString("screen_name", u.ScreenName);
        w.WriteBoolean("protected", false);
        w.WriteBoolean("verified", u.Verified);
        w.WriteNumber("followers_count", u.FollowersCount);
        w.WriteNumber("friends_count", 0);
        w.WriteNumber("statuses_count", 0);
        w.WriteString("profile_image_url", "http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
        w.WriteString("profile_image_url_https", "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
        w.WriteEndObject();
    }

    /// <summary>End of the run of @mentions a reply starts with (code points), or 0.</summary>
    private static int LeadingMentionsEnd(string text, XEntities.Found found)
    {
        var end = 0;
        foreach (var m in found.Mentions.OrderBy(m => m.Start))
        {
            var gap = m.Start - end;
            if (gap > 1 || (gap == 1 && !char.IsWhiteSpace(text, Utf16(text, end)))) break;
            end = m.End;
        }
        while (end > 0 && end < XEntities.CodePoints(text, text.Length) && char.IsWhiteSpace(text, Utf16(text, end))) end++;
        return end;
    }

    private static int Utf16(string text, int codePoints)
    {
        var i = 0;
        for (var cp = 0; cp < codePoints && i < text.Length; cp++) i += char.IsSurrogatePair(text, i) ? 2 : 1;
        return i;
    }

    private static Func<string, SimXUser?> Resolver(IEnumerable<SimXUser> users)
    {
        var known = users.DistinctBy(u => u.ScreenName, StringComparer.OrdinalIgnoreCase).ToDictionary(u => u.ScreenName, StringComparer.OrdinalIgnoreCase);
        return name => known.GetValueOrDefault(name);
    }

    private static void Nullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
