using System.Text.Json;
using Parley.Conversations;
using Parley.Ingest;
using static Parley.Ingest.PayloadReader;

namespace Parley.Channels.X;

/// <summary>Reads a page of the X API v2 mentions timeline (<c>GET /2/users/{id}/mentions</c> with
/// <c>expansions=author_id</c>), for accounts that poll instead of receiving webhooks.</summary>
public static class XMentionsParser
{
    public static ParsedDelivery Parse(byte[] body, XSettings settings)
    {
        using var doc = PayloadReader.Parse(body);
        var root = RootObject(doc);
        var users = new Dictionary<string, Party>();
        if (Optional(root, "includes") is { ValueKind: JsonValueKind.Object } includes
            && OptionalArray(includes, "users", "$.includes") is { } list)
        {
            foreach (var u in list)
            {
                var id = RequiredId(u, "id", "$.includes.users[]");
                var followers = Optional(u, "public_metrics") is { ValueKind: JsonValueKind.Object } pm ? OptionalInt(pm, "followers_count") : null;
                users[id] = new Party("x", id, OptionalString(u, "username", "$.includes.users[]"),
                    OptionalString(u, "name", "$.includes.users[]"), followers, OptionalBool(u, "verified"));
            }
        }

        var items = new List<InboundItem>();
        var unhandled = 0;
        var i = 0;
        foreach (var tweet in OptionalArray(root, "data", "$") ?? default)
        {
            var path = $"$.data[{i++}]";
            var id = RequiredId(tweet, "id", path);
            var authorId = RequiredId(tweet, "author_id", path);
            var text = RequiredString(tweet, "text", path);
            if (Optional(tweet, "note_tweet") is { ValueKind: JsonValueKind.Object } note)
                text = OptionalString(note, "text", $"{path}.note_tweet") ?? text;
            var createdAt = OptionalTime(tweet, "created_at", path) ?? DateTimeOffset.UnixEpoch;
            string? inReplyTo = null;
            var retweet = false;
            foreach (var reference in OptionalArray(tweet, "referenced_tweets", path) ?? default)
            {
                var type = OptionalString(reference, "type", $"{path}.referenced_tweets[]");
                if (type == "replied_to") inReplyTo = RequiredId(reference, "id", $"{path}.referenced_tweets[]");
                if (type == "retweeted") retweet = true;
            }
            if (retweet || authorId == settings.AccountId) { unhandled++; continue; }
            var author = users.GetValueOrDefault(authorId) ?? new Party("x", authorId, null, null);
            items.Add(new InboundItem(id, MessageDirection.Inbound, MessageVisibility.Public, author,
                "@" + (author.Handle ?? authorId), text, createdAt, inReplyTo, []));
        }
        return new ParsedDelivery(items, unhandled);
    }

    /// <summary>The newest id on the page (<c>meta.newest_id</c>), the next <c>since_id</c>.</summary>
    public static string? NewestId(byte[] body)
    {
        using var doc = PayloadReader.Parse(body);
        return Optional(RootObject(doc), "meta") is { ValueKind: JsonValueKind.Object } meta ? OptionalId(meta, "newest_id", "$.meta") : null;
    }
}
