using System.Text.Json;
using Parley.Conversations;
using Parley.Ingest;
using static Parley.Ingest.PayloadReader;

namespace Parley.Channels.Meta;

/// <summary>Reads Meta webhook deliveries for a page and its Instagram account: Messenger and
/// Instagram messages (<c>messaging</c>, <c>standby</c>), page feed comments and visitor posts, and
/// Instagram comments (<c>changes</c>). Read receipts, reactions, opt-ins and the like are counted as unhandled.</summary>
public static class MetaWebhookParser
{
    public static ParsedDelivery Parse(byte[] body, MetaSettings settings)
    {
        using var doc = PayloadReader.Parse(body);
        var root = RootObject(doc);
        var objectType = OptionalString(root, "object", "$");
        var items = new List<InboundItem>();
        var unhandled = 0;
        var i = 0;
        foreach (var entry in OptionalArray(root, "entry", "$")
            ?? throw new MalformedPayloadException("'$.entry' must be an array of entries."))
        {
            var path = $"$.entry[{i++}]";
            if (entry.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}' must be an object.");
            var entryId = OptionalId(entry, "id", path);
            var network = objectType == "instagram" || (objectType is null && entryId is not null && entryId == settings.InstagramAccountId)
                ? "instagram" : "facebook";
            var ownId = network == "instagram" ? settings.InstagramAccountId ?? entryId : settings.PageId;
            var entryTime = OptionalTime(entry, "time", path) ?? DateTimeOffset.UnixEpoch;

            foreach (var list in new[] { "messaging", "standby" })
            {
                var j = 0;
                foreach (var e in OptionalArray(entry, list, path) ?? default)
                {
                    var item = ReadMessaging(e, network, ownId, $"{path}.{list}[{j++}]");
                    if (item is null) unhandled++;
                    else items.Add(item);
                }
            }
            var k = 0;
            foreach (var change in OptionalArray(entry, "changes", path) ?? default)
            {
                var item = ReadChange(change, network, ownId, entryTime, $"{path}.changes[{k++}]");
                if (item is null) unhandled++;
                else items.Add(item);
            }
        }
        return new ParsedDelivery(items, unhandled);
    }

    private static InboundItem? ReadMessaging(JsonElement e, string network, string? ownId, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}' must be an object.");
        var message = Optional(e, "message");
        var postback = Optional(e, "postback");
        if (message is null && postback is null) return null; // delivery, read, reaction, optin, referral, ...

        var sender = RequiredId(RequiredObject(e, "sender", path), "id", $"{path}.sender");
        var recipient = RequiredId(RequiredObject(e, "recipient", path), "id", $"{path}.recipient");
        var at = OptionalTime(e, "timestamp", path) ?? throw new MalformedPayloadException($"'{path}.timestamp' is required.");

        string id, text;
        var media = new List<MediaItem>();
        var echo = false;
        if (message is { } m)
        {
            if (m.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}.message' must be an object.");
            if (OptionalBool(m, "is_deleted")) return null; // an unsent message; the original stays for the record
            id = RequiredId(m, "mid", $"{path}.message");
            text = OptionalString(m, "text", $"{path}.message") ?? "";
            echo = OptionalBool(m, "is_echo");
            var a = 0;
            foreach (var attachment in OptionalArray(m, "attachments", $"{path}.message") ?? default)
            {
                var apath = $"{path}.message.attachments[{a++}]";
                var type = OptionalString(attachment, "type", apath) ?? "file";
                if (Optional(attachment, "payload") is { ValueKind: JsonValueKind.Object } payload
                    && OptionalString(payload, "url", $"{apath}.payload") is { } url)
                    media.Add(new MediaItem(type, url));
            }
        }
        else
        {
            var p = postback!.Value;
            if (p.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}.postback' must be an object.");
            // A button press: Meta gives it an mid on newer API versions; older payloads have none.
            id = OptionalId(p, "mid", $"{path}.postback") ?? $"postback:{sender}:{at.ToUnixTimeMilliseconds()}";
            text = OptionalString(p, "title", $"{path}.postback") ?? OptionalString(p, "payload", $"{path}.postback") ?? "";
        }

        var outbound = echo || sender == ownId;
        var customer = new Party(network, outbound ? recipient : sender, null, null);
        return new InboundItem(id, outbound ? MessageDirection.Outbound : MessageDirection.Inbound, MessageVisibility.Private,
            customer, outbound ? network == "instagram" ? "instagram" : "page" : customer.ExternalId, text, at, null, media);
    }

    private static InboundItem? ReadChange(JsonElement change, string network, string? ownId, DateTimeOffset entryTime, string path)
    {
        if (change.ValueKind != JsonValueKind.Object) throw new MalformedPayloadException($"'{path}' must be an object.");
        var field = RequiredString(change, "field", path);
        if (Optional(change, "value") is not { ValueKind: JsonValueKind.Object } value) return null;
        var vpath = $"{path}.value";
        return field switch
        {
            "feed" => ReadFeed(value, ownId, entryTime, vpath),
            "comments" when network == "instagram" => ReadInstagramComment(value, ownId, entryTime, vpath),
            _ => null, // leadgen, mention, ratings, ...
        };
    }

    private static InboundItem? ReadFeed(JsonElement v, string? pageId, DateTimeOffset entryTime, string path)
    {
        var item = OptionalString(v, "item", path);
        var verb = OptionalString(v, "verb", path);
        if (verb != "add") return null; // edits, hides and removals are not new messages
        var from = RequiredObject(v, "from", path);
        var fromId = RequiredId(from, "id", $"{path}.from");
        var at = OptionalTime(v, "created_time", path) ?? entryTime;
        var text = OptionalString(v, "message", path) ?? "";
        var author = new Party("facebook", fromId, null, OptionalString(from, "name", $"{path}.from"));
        var fromPage = fromId == pageId;

        if (item == "comment")
        {
            var id = RequiredId(v, "comment_id", path);
            var parent = OptionalId(v, "parent_id", path) ?? OptionalId(v, "post_id", path);
            var media = OptionalString(v, "photo", path) is { } photo ? new List<MediaItem> { new("photo", photo) } : [];
            return new InboundItem(id, fromPage ? MessageDirection.Outbound : MessageDirection.Inbound, MessageVisibility.Public,
                fromPage ? null : author, fromPage ? "page" : author.DisplayName ?? fromId, text, at, parent, media);
        }
        if (item is "status" or "post" or "photo" or "video" && !fromPage)
        {
            // A visitor's post on the page.
            var id = RequiredId(v, "post_id", path);
            return new InboundItem(id, MessageDirection.Inbound, MessageVisibility.Public, author,
                author.DisplayName ?? fromId, text, at, null, []);
        }
        return null; // the page's own posts, likes, shares, ...
    }

    private static InboundItem? ReadInstagramComment(JsonElement v, string? accountId, DateTimeOffset entryTime, string path)
    {
        var id = RequiredId(v, "id", path);
        var from = RequiredObject(v, "from", path);
        var fromId = RequiredId(from, "id", $"{path}.from");
        var username = OptionalString(from, "username", $"{path}.from");
        var parent = OptionalId(v, "parent_id", path)
            ?? (Optional(v, "media") is { ValueKind: JsonValueKind.Object } media ? OptionalId(media, "id", $"{path}.media") : null);
        var mine = fromId == accountId;
        var author = new Party("instagram", fromId, username, null);
        return new InboundItem(id, mine ? MessageDirection.Outbound : MessageDirection.Inbound, MessageVisibility.Public,
            mine ? null : author, "@" + (username ?? fromId), OptionalString(v, "text", path) ?? "",
            entryTime, parent, []);
    }
}
