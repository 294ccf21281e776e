using System.Globalization;
using System.Text;
using System.Text.Json;
using Parley.Ingest;

namespace Parley.Channels.X;

/// <summary>Decides at the request what <see cref="XWebhookParser"/> decides later, without building the
/// delivery: whether a signed body is malformed (400 and quarantine, with the parser's own message) or may be
/// acknowledged. The request needs only that verdict, and a JSON document plus the parser's objects cost twice
/// the verdict. One <see cref="Utf8JsonReader"/> pass reads the body as <see cref="JsonDocument"/> would (the
/// same syntax errors) and notes where the fields the parser reads are; the parser's checks then run in its order
/// on those fields alone, so the first fault found is the one the parser reports. Processing parses the stored
/// body with the parser itself; XWebhookCheckTests hold the two to the same verdict and message on every captured
/// payload with each of its values made wrong in turn (docs/adr/0030-x-webhook-check-at-ingest.md).</summary>
public static class XWebhookCheck
{
    /// <exception cref="MalformedPayloadException">Exactly when <see cref="XWebhookParser.Parse"/> would throw it.</exception>
    public static void Check(ReadOnlySpan<byte> body, XSettings settings)
    {
        var json = new Json(body);
        var (rootAt, root) = Read(body);
        if (root is null) throw new MalformedPayloadException($"The body must be a JSON object, not {json.Kind(rootAt)}.");

        var account = json.OptionalId(root.At[0], "for_user_id", "$") ?? settings.AccountId;
        // The parser meets the two lists in the body's order.
        ReadOnlySpan<int> lists = root.FirstSeen[1] < root.FirstSeen[2] ? [1, 2] : [2, 1];
        foreach (var list in lists)
        {
            if (root.FirstSeen[list] == int.MaxValue) continue;
            var name = list == 1 ? "tweet_create_events" : "direct_message_events";
            json.OptionalArray(root.At[list], name, "$");
            var items = root.Items[list] ?? [];
            for (var i = 0; i < items.Count; i++)
            {
                if (list == 1) CheckTweet(json, items[i], account, new JsonPath("$.tweet_create_events", i));
                else CheckDirectMessage(json, items[i], account, json.Present(root.At[3]), new JsonPath("$.direct_message_events", i));
            }
        }
    }

    /// <summary>The one pass over the whole body, as PayloadReader.Parse reads it (depth 64, nothing after the value).</summary>
    private static (int At, Facts? Root) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var r = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            r.Read();
            var at = (int)r.TokenStartIndex;
            Facts? root = null;
            if (r.TokenType == JsonTokenType.StartObject) root = Facts.Read(ref r, 0, Schema.Root);
            else r.Skip();
            while (r.Read()) { }
            return (at, root);
        }
        catch (JsonException e)
        {
            throw new MalformedPayloadException($"The body is not valid JSON: {e.Message}");
        }
    }

    private static void CheckTweet(Json json, Item item, string account, JsonPath path)
    {
        var tweet = item.Facts ?? throw new MalformedPayloadException($"'{path}' must be an object.");
        var f = tweet.At;
        if (!json.HasId(f[0], "id_str", path)) json.RequiredId(f[1], "id", path);
        json.RequiredObject(f[2], "user", path);
        var author = CheckUser(json, tweet.Nested[2]!, path.Then(".user"));
        if (!json.HasString(f[3], "text", path)) json.HasString(f[4], "full_text", path);
        var extended = tweet.Nested[5];
        if (extended is not null) json.HasString(extended.At[0], "full_text", path.Then(".extended_tweet"));
        if (json.Present(f[6]) >= 0) return; // a retweet: the parser reads no further
        if (!json.OptionalTime(f[7], "timestamp_ms", path) && !json.OptionalTime(f[8], "created_at", path))
            throw new MalformedPayloadException($"'{path}' has neither 'timestamp_ms' nor 'created_at'.");
        if (!json.HasId(f[9], "in_reply_to_status_id_str", path)) json.HasId(f[10], "in_reply_to_status_id", path);
        if (author == account && !CheckAddressee(json, tweet, path)) return; // the brand's post to nobody is skipped
        CheckMedia(json, tweet);
    }

    /// <returns>The user's id.</returns>
    private static string CheckUser(Json json, Facts user, JsonPath path)
    {
        var id = json.OptionalId(user.At[0], "id_str", path) ?? json.RequiredId(user.At[1], "id", path);
        json.HasString(user.At[2], "screen_name", path);
        json.HasString(user.At[3], "name", path);
        return id;
    }

    /// <returns>False when the brand's post addresses nobody.</returns>
    private static bool CheckAddressee(Json json, Facts tweet, JsonPath path)
    {
        var f = tweet.At;
        if (json.HasId(f[11], "in_reply_to_user_id_str", path) || json.HasId(f[12], "in_reply_to_user_id", path))
        {
            json.HasString(f[13], "in_reply_to_screen_name", path);
            return true;
        }
        if (tweet.Nested[14] is not { } entities) return false;
        json.OptionalArray(entities.At[0], "user_mentions", path.Then(".entities"));
        foreach (var mention in entities.Items[0] ?? [])
        {
            var m = mention.Facts ?? throw json.NotAnObject(mention.At, "id_str");
            var mentionsPath = path.Then(".entities.user_mentions");
            if (!json.HasId(m.At[0], "id_str", mentionsPath) && !json.HasId(m.At[1], "id", mentionsPath)) continue;
            json.HasString(m.At[2], "screen_name", path);
            json.HasString(m.At[3], "name", path);
            return true;
        }
        return false;
    }

    private static void CheckMedia(Json json, Facts tweet)
    {
        // Where the parser looks for media: extended_entities, else entities; inside extended_tweet when it has either.
        var source = json.Present(tweet.At[15]) >= 0 ? tweet.Nested[15] : tweet.Nested[14];
        if (tweet.Nested[5] is { } extended)
        {
            if (json.Present(extended.At[1]) >= 0) source = extended.Nested[1];
            else if (json.Present(extended.At[2]) >= 0) source = extended.Nested[2];
        }
        if (source is null || source.Items[1] is not { } media) return;
        foreach (var m in media)
        {
            if (m.Facts is not { } item) continue;
            if (json.HasString(item.At[0], "media_url_https", "media")) json.HasString(item.At[1], "type", "media");
        }
    }

    private static void CheckDirectMessage(Json json, Item item, string account, int users, JsonPath path)
    {
        var dm = item.Facts ?? throw new MalformedPayloadException($"'{path}' must be an object.");
        if (json.OptionalString(dm.At[0], "type", path) is { } type && type != "message_create") return;
        json.RequiredId(dm.At[1], "id", path);
        json.RequiredObject(dm.At[2], "message_create", path);
        var create = dm.Nested[2]!;
        var sender = json.RequiredId(create.At[0], "sender_id", path.Then(".message_create"));
        json.RequiredObject(create.At[1], "target", path.Then(".message_create"));
        var recipient = json.RequiredId(create.Nested[1]!.At[0], "recipient_id", path.Then(".message_create.target"));
        json.RequiredObject(create.At[2], "message_data", path.Then(".message_create"));
        var data = create.Nested[2]!;
        json.HasString(data.At[0], "text", path.Then(".message_create.message_data"));
        if (!json.OptionalTime(dm.At[3], "created_timestamp", path))
            throw new MalformedPayloadException($"'{path}.created_timestamp' is required.");

        // The users map is keyed by id: read only in direct-message deliveries, for the ids the parser looks up.
        var outbound = sender == account;
        var customerId = outbound ? recipient : sender;
        var usersObject = json.Type(users) == JsonTokenType.StartObject;
        if (usersObject && json.Find(users, customerId) is var profile and >= 0)
            CheckUser(json, json.ObjectAt(profile, "id_str"), new JsonPath("$.users.", -1, customerId));
        if (outbound && usersObject && json.Find(users, sender) is var me and >= 0)
            json.HasString(json.ObjectAt(me, "screen_name").At[2], "screen_name", "$.users");

        if (data.Nested[1] is { } attachment && attachment.Nested[0] is { } media && json.HasString(media.At[0], "media_url_https", path))
            json.HasString(media.At[1], "type", path);
    }

    /// <summary>Where a value is, in the parser's words (<c>$.tweet_create_events[0].user</c>): made into a string only for
    /// a message, so a body that checks out builds none (docs/adr/0050).</summary>
    private readonly struct JsonPath(string head, int index = -1, string tail = "")
    {
        public static implicit operator JsonPath(string head) => new(head);

        /// <summary>This item's path with <paramref name="tail"/> after it (tails are named whole from the item).</summary>
        public JsonPath Then(string tail) => new(head, index, tail);

        public override string ToString() =>
            index < 0 ? head + tail : string.Create(CultureInfo.InvariantCulture, $"{head}[{index}]{tail}");
    }

    /// <summary>Which fields of an object the parser reads, and which of them it reads into: an object (by
    /// <see cref="Object"/>'s schema) or a list of objects (<see cref="ArrayOf"/>).</summary>
    private sealed class Schema(params string[] names)
    {
        private readonly byte[][] _names = [.. names.Select(Encoding.UTF8.GetBytes)];
        public int Count => _names.Length;
        public readonly Schema?[] Object = new Schema?[names.Length];
        public readonly Schema?[] ArrayOf = new Schema?[names.Length];

        private bool? _hasObjects, _hasLists;
        public bool HasObjects => _hasObjects ??= Object.Any(s => s is not null);
        public bool HasLists => _hasLists ??= ArrayOf.Any(s => s is not null);
        public bool KeepsOrder { get; init; }

        public int IndexOf(ref Utf8JsonReader r)
        {
            if (r.ValueIsEscaped)
            {
                for (var i = 0; i < _names.Length; i++)
                    if (r.ValueTextEquals(_names[i])) return i;
                return -1;
            }
            var name = r.ValueSpan;
            for (var i = 0; i < _names.Length; i++)
            {
                var candidate = _names[i];
                if (candidate.Length == name.Length && candidate[0] == name[0] && name.SequenceEqual(candidate)) return i;
            }
            return -1;
        }

        public static readonly Schema User = new("id_str", "id", "screen_name", "name");
        public static readonly Schema Media = new("media_url_https", "type");
        public static readonly Schema Entities = new("user_mentions", "media") { ArrayOf = { [0] = User, [1] = Media } };
        public static readonly Schema Extended = new("full_text", "extended_entities", "entities") { Object = { [1] = Entities, [2] = Entities } };
        public static readonly Schema Tweet = new("id_str", "id", "user", "text", "full_text", "extended_tweet",
            "retweeted_status", "timestamp_ms", "created_at", "in_reply_to_status_id_str", "in_reply_to_status_id",
            "in_reply_to_user_id_str", "in_reply_to_user_id", "in_reply_to_screen_name", "entities", "extended_entities")
        {
            Object = { [2] = User, [5] = Extended, [14] = Entities, [15] = Entities },
        };
        public static readonly Schema Attachment = new("media") { Object = { [0] = Media } };
        public static readonly Schema Data = new("text", "attachment") { Object = { [1] = Attachment } };
        public static readonly Schema Target = new("recipient_id");
        public static readonly Schema Create = new("sender_id", "target", "message_data") { Object = { [1] = Target, [2] = Data } };
        public static readonly Schema Message = new("type", "id", "message_create", "created_timestamp") { Object = { [2] = Create } };
        public static readonly Schema Root = new("for_user_id", "tweet_create_events", "direct_message_events", "users")
        {
            ArrayOf = { [1] = Tweet, [2] = Message },
            KeepsOrder = true,
        };
    }

    /// <summary>An item of a list: its position, and its facts when it is an object.</summary>
    private readonly record struct Item(int At, Facts? Facts);

    /// <summary>Where an object's fields are (-1: absent; of a repeated name the last, as
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> finds it) and, for the fields the parser
    /// reads into, what is inside them.</summary>
    private sealed class Facts
    {
        public readonly int[] At;
        private readonly Facts?[]? _nested;
        private readonly List<Item>?[]? _items;
        private readonly int[]? _firstSeen;

        private Facts(Schema schema)
        {
            At = new int[schema.Count];
            Array.Fill(At, -1);
            if (schema.HasObjects) _nested = new Facts?[schema.Count];
            if (schema.HasLists) _items = new List<Item>?[schema.Count];
            if (!schema.KeepsOrder) return;
            _firstSeen = new int[schema.Count];
            Array.Fill(_firstSeen, int.MaxValue);
        }

        /// <summary>What is inside the field, when the schema reads into it and it is an object.</summary>
        public ReadOnlySpan<Facts?> Nested => _nested;

        /// <summary>The items of the field, when the schema reads into it and it is an array.</summary>
        public ReadOnlySpan<List<Item>?> Items => _items;

        /// <summary>The order in which each field first appears (int.MaxValue: never), when the schema keeps it.</summary>
        public ReadOnlySpan<int> FirstSeen => _firstSeen;

        /// <summary>Reads the object <paramref name="r"/> is on, to its end; <paramref name="offset"/> is where
        /// the reader's input starts in the body.</summary>
        public static Facts Read(ref Utf8JsonReader r, int offset, Schema schema)
        {
            var facts = new Facts(schema);
            var order = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var i = schema.IndexOf(ref r);
                r.Read();
                if (i < 0)
                {
                    r.Skip();
                    continue;
                }
                facts.At[i] = offset + (int)r.TokenStartIndex;
                if (facts._firstSeen is { } firstSeen) firstSeen[i] = Math.Min(firstSeen[i], order++);
                if (facts._nested is { } nested) nested[i] = null;
                if (facts._items is { } items) items[i] = null;
                if (r.TokenType == JsonTokenType.StartObject && schema.Object[i] is { } inner) facts._nested![i] = Read(ref r, offset, inner);
                else if (r.TokenType == JsonTokenType.StartArray && schema.ArrayOf[i] is { } each) facts._items![i] = ReadList(ref r, offset, each);
                else r.Skip();
            }
            return facts;
        }

        private static List<Item> ReadList(ref Utf8JsonReader r, int offset, Schema each)
        {
            var items = new List<Item>();
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                var at = offset + (int)r.TokenStartIndex;
                if (r.TokenType == JsonTokenType.StartObject) items.Add(new Item(at, Read(ref r, offset, each)));
                else
                {
                    items.Add(new Item(at, null));
                    r.Skip();
                }
            }
            return items;
        }
    }

    /// <summary>The values of a body already read whole, by position: each accessor mirrors
    /// <see cref="PayloadReader"/>'s of the same name, message for message. Values are read again from their
    /// position only when the parser would read them, and then only their first token.</summary>
    private readonly ref struct Json(ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _body = body;

        private Utf8JsonReader Reader(int at)
        {
            var r = new Utf8JsonReader(_body[at..]);
            r.Read();
            return r;
        }

        public JsonTokenType Type(int at) => at < 0 ? JsonTokenType.None : Reader(at).TokenType;

        /// <summary>The position, or -1 when the value is absent or JSON null (PayloadReader.Optional).</summary>
        public int Present(int at) => Type(at) is JsonTokenType.None or JsonTokenType.Null ? -1 : at;

        /// <summary>The object at <paramref name="at"/>, read now (a user profile, found by id in the users map).</summary>
        public Facts ObjectAt(int at, string field)
        {
            var r = Reader(at);
            return r.TokenType == JsonTokenType.StartObject ? Facts.Read(ref r, at, Schema.User) : throw NotAnObject(at, field);
        }

        /// <summary>The value of the property named <paramref name="name"/> (the last of that name), or -1.</summary>
        public int Find(int obj, string name)
        {
            var found = -1;
            var r = Reader(obj);
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var match = r.ValueTextEquals(name);
                r.Read();
                if (match) found = obj + (int)r.TokenStartIndex;
                r.Skip();
            }
            return found;
        }

        /// <summary>What PayloadReader.Optional throws for a field read from something that is not an object.</summary>
        public MalformedPayloadException NotAnObject(int at, string name) => new($"Expected an object with '{name}', found {Kind(at)}.");

        public void RequiredObject(int at, string name, JsonPath path)
        {
            if (Type(at) != JsonTokenType.StartObject) throw Wrong(at, name, path, "an object");
        }

        public void OptionalArray(int at, string name, JsonPath path)
        {
            if (Type(at) is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.StartArray)) throw Wrong(at, name, path, "an array");
        }

        /// <summary>PayloadReader.OptionalString where only whether there is a string matters: the string is made
        /// (as the parser would, with its exceptions) only when its bytes are escaped or not valid UTF-8.</summary>
        public bool HasString(int at, string name, JsonPath path)
        {
            if (at < 0) return false;
            var r = Reader(at);
            return r.TokenType switch
            {
                JsonTokenType.Null => false,
                JsonTokenType.String => r.ValueIsEscaped || !System.Text.Unicode.Utf8.IsValid(r.ValueSpan) ? r.GetString() is not null : true,
                _ => throw Wrong(at, name, path, "a string"),
            };
        }

        public string? OptionalString(int at, string name, JsonPath path)
        {
            if (at < 0) return null;
            var r = Reader(at);
            return r.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.String => r.GetString(),
                _ => throw Wrong(at, name, path, "a string"),
            };
        }

        public string? OptionalId(int at, string name, JsonPath path)
        {
            if (at < 0) return null;
            var r = Reader(at);
            if (r.TokenType == JsonTokenType.Null) return null;
            if (r.TokenType == JsonTokenType.String && r.GetString() is var s && !string.IsNullOrWhiteSpace(s)) return s;
            if (r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out var n)) return n.ToString(CultureInfo.InvariantCulture);
            throw Wrong(at, name, path, "an id (a non-empty string or a whole number)");
        }

        /// <summary>OptionalId where only whether there is an id matters: the string is made (as the parser would, with its
        /// exceptions) only when its bytes are escaped or not ASCII.</summary>
        public bool HasId(int at, string name, JsonPath path)
        {
            if (at < 0) return false;
            var r = Reader(at);
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || !System.Text.Ascii.IsValid(r.ValueSpan))
                return OptionalId(at, name, path) is not null;
            foreach (var b in r.ValueSpan)
                if (!char.IsWhiteSpace((char)b)) return true;
            throw Wrong(at, name, path, "an id (a non-empty string or a whole number)");
        }

        public string RequiredId(int at, string name, JsonPath path) =>
            OptionalId(at, name, path) ?? throw Wrong(at, name, path, "an id");

        /// <returns>False when absent.</returns>
        public bool OptionalTime(int at, string name, JsonPath path)
        {
            if (at < 0) return false;
            var r = Reader(at);
            if (r.TokenType == JsonTokenType.Null) return false;
            if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var n))
            {
                PayloadReader.FromEpoch(n);
                return true;
            }
            if (r.TokenType == JsonTokenType.String && PayloadReader.TimeFromString(r.GetString()!) is not null) return true;
            throw Wrong(at, name, path, PayloadReader.ExpectedTime);
        }

        private MalformedPayloadException Wrong(int at, string name, JsonPath path, string expected) =>
            new($"'{path}.{name}' must be {expected}; found {Kind(at)}.");

        public string Kind(int at) => Type(at) switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            _ => "nothing",
        };
    }
}
