using System.Globalization;
using System.Text.Json;
using Parley.Ingest;

namespace Parley.Channels.X;

/// <summary>Decides at the request what <see cref="XWebhookParser"/> decides later, without building anything:
/// whether a signed delivery is malformed (400 and quarantine, with the parser's own message) or may be
/// acknowledged. A JSON document costs more to build than the parser's whole answer is worth at the request,
/// where only the verdict is needed: here one <see cref="Utf8JsonReader"/> pass checks the syntax as
/// <see cref="JsonDocument"/> would, and the fields the parser reads are then read by position, in the
/// parser's order, so the first fault found is the one the parser would report. Processing parses the stored
/// body with the parser itself; XWebhookCheckTests hold the two to the same verdict and message
/// (docs/adr/0030-webhook-check-at-ingest.md).</summary>
public static class XWebhookCheck
{
    /// <exception cref="MalformedPayloadException">Exactly when <see cref="XWebhookParser.Parse"/> would throw it.</exception>
    public static void Check(ReadOnlySpan<byte> body, XSettings settings)
    {
        var json = Json.Of(body);
        var root = json.Root;
        if (json.Type(root) != JsonTokenType.StartObject)
            throw new MalformedPayloadException($"The body must be a JSON object, not {json.Kind(root)}.");

        Span<int> f = stackalloc int[RootFields.Length];
        json.Scan(root, RootFields, f);
        var account = json.OptionalId(f[0], "for_user_id", "$") ?? settings.AccountId;
        bool tweetsDone = false, messagesDone = false;
        // In the body's order, as the parser meets them; each list is checked once (a repeated name has one value).
        var r = json.Reader(root);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (!tweetsDone && r.ValueTextEquals("tweet_create_events"u8))
            {
                tweetsDone = true;
                var i = 0;
                foreach (var tweet in json.Items(json.OptionalArray(f[1], "tweet_create_events", "$")))
                    CheckTweet(json, tweet, account, $"$.tweet_create_events[{i++}]");
            }
            else if (!messagesDone && r.ValueTextEquals("direct_message_events"u8))
            {
                messagesDone = true;
                var j = 0;
                foreach (var dm in json.Items(json.OptionalArray(f[2], "direct_message_events", "$")))
                    CheckDirectMessage(json, dm, account, json.Present(f[3]), $"$.direct_message_events[{j++}]");
            }
            r.Read();
            r.Skip();
        }
    }

    private static readonly byte[][] RootFields = [.. Names("for_user_id", "tweet_create_events", "direct_message_events", "users")];

    private static readonly byte[][] TweetFields = [.. Names("id_str", "id", "user", "text", "full_text", "extended_tweet",
        "retweeted_status", "timestamp_ms", "created_at", "in_reply_to_status_id_str", "in_reply_to_status_id",
        "in_reply_to_user_id_str", "in_reply_to_user_id", "in_reply_to_screen_name", "entities", "extended_entities")];

    private static readonly byte[][] ExtendedFields = [.. Names("full_text", "extended_entities", "entities")];

    private static void CheckTweet(Json json, int tweet, string account, string path)
    {
        if (json.Type(tweet) != JsonTokenType.StartObject) throw new MalformedPayloadException($"'{path}' must be an object.");
        Span<int> f = stackalloc int[TweetFields.Length];
        json.Scan(tweet, TweetFields, f);
        _ = json.OptionalId(f[0], "id_str", path) ?? json.RequiredId(f[1], "id", path);
        var author = CheckUser(json, json.RequiredObject(f[2], "user", path), $"{path}.user");
        _ = json.OptionalString(f[3], "text", path) ?? json.OptionalString(f[4], "full_text", path);
        Span<int> e = stackalloc int[ExtendedFields.Length];
        e.Fill(-1);
        var extended = json.Present(f[5]);
        if (json.Type(extended) == JsonTokenType.StartObject)
        {
            json.Scan(extended, ExtendedFields, e);
            json.OptionalString(e[0], "full_text", $"{path}.extended_tweet");
        }
        if (json.Present(f[6]) >= 0) return; // a retweet: nothing more is read
        if (!json.OptionalTime(f[7], "timestamp_ms", path) && !json.OptionalTime(f[8], "created_at", path))
            throw new MalformedPayloadException($"'{path}' has neither 'timestamp_ms' nor 'created_at'.");
        _ = json.OptionalId(f[9], "in_reply_to_status_id_str", path) ?? json.OptionalId(f[10], "in_reply_to_status_id", path);
        if (author == account && !CheckAddressee(json, f, path)) return; // the brand's post to nobody
        CheckMedia(json, f, e, extended);
    }

    private static readonly byte[][] UserFields = [.. Names("id_str", "id", "screen_name", "name")];

    /// <returns>The user's id.</returns>
    private static string CheckUser(Json json, int user, string path)
    {
        json.RequireObjectFor(user, "id_str");
        Span<int> f = stackalloc int[UserFields.Length];
        json.Scan(user, UserFields, f);
        var id = json.OptionalId(f[0], "id_str", path) ?? json.RequiredId(f[1], "id", path);
        json.OptionalString(f[2], "screen_name", path);
        json.OptionalString(f[3], "name", path);
        return id;
    }

    private static readonly byte[][] MentionsField = [.. Names("user_mentions")];

    /// <returns>False when the brand's post addresses nobody (the parser skips it).</returns>
    private static bool CheckAddressee(Json json, ReadOnlySpan<int> tweet, string path)
    {
        if ((json.OptionalId(tweet[11], "in_reply_to_user_id_str", path) ?? json.OptionalId(tweet[12], "in_reply_to_user_id", path)) is not null)
        {
            json.OptionalString(tweet[13], "in_reply_to_screen_name", path);
            return true;
        }
        var entities = json.Present(tweet[14]);
        if (json.Type(entities) != JsonTokenType.StartObject) return false;
        Span<int> f = stackalloc int[1];
        json.Scan(entities, MentionsField, f);
        var mentionsPath = $"{path}.entities.user_mentions";
        Span<int> m = stackalloc int[UserFields.Length];
        foreach (var mention in json.Items(json.OptionalArray(f[0], "user_mentions", $"{path}.entities")))
        {
            json.RequireObjectFor(mention, "id_str");
            json.Scan(mention, UserFields, m);
            if ((json.OptionalId(m[0], "id_str", mentionsPath) ?? json.OptionalId(m[1], "id", mentionsPath)) is null) continue;
            json.OptionalString(m[2], "screen_name", path);
            json.OptionalString(m[3], "name", path);
            return true;
        }
        return false;
    }

    private static readonly byte[][] MediaListField = [.. Names("media")];
    private static readonly byte[][] MediaFields = [.. Names("media_url_https", "type")];

    private static void CheckMedia(Json json, ReadOnlySpan<int> tweet, ReadOnlySpan<int> extendedFields, int extended)
    {
        var source = json.Present(tweet[15]) is var ee and >= 0 ? ee : json.Present(tweet[14]);
        if (json.Type(extended) == JsonTokenType.StartObject)
        {
            var inner = json.Present(extendedFields[1]) is var ie and >= 0 ? ie : json.Present(extendedFields[2]);
            if (inner >= 0) source = inner;
        }
        if (json.Type(source) != JsonTokenType.StartObject) return;
        Span<int> f = stackalloc int[1];
        json.Scan(source, MediaListField, f);
        var list = json.Present(f[0]);
        if (json.Type(list) != JsonTokenType.StartArray) return;
        Span<int> mf = stackalloc int[MediaFields.Length];
        foreach (var m in json.Items(list))
        {
            if (json.Type(m) != JsonTokenType.StartObject) continue;
            json.Scan(m, MediaFields, mf);
            if (json.OptionalString(mf[0], "media_url_https", "media") is not null) json.OptionalString(mf[1], "type", "media");
        }
    }

    private static readonly byte[][] MessageFields = [.. Names("type", "id", "message_create", "created_timestamp")];
    private static readonly byte[][] CreateFields = [.. Names("sender_id", "target", "message_data")];
    private static readonly byte[][] TargetFields = [.. Names("recipient_id")];
    private static readonly byte[][] DataFields = [.. Names("text", "attachment")];
    private static readonly byte[][] ScreenNameField = [.. Names("screen_name")];

    private static void CheckDirectMessage(Json json, int dm, string account, int users, string path)
    {
        if (json.Type(dm) != JsonTokenType.StartObject) throw new MalformedPayloadException($"'{path}' must be an object.");
        Span<int> f = stackalloc int[MessageFields.Length];
        json.Scan(dm, MessageFields, f);
        if (json.OptionalString(f[0], "type", path) is { } type && type != "message_create") return;
        json.RequiredId(f[1], "id", path);
        var create = json.RequiredObject(f[2], "message_create", path);
        Span<int> c = stackalloc int[CreateFields.Length];
        json.Scan(create, CreateFields, c);
        var sender = json.RequiredId(c[0], "sender_id", $"{path}.message_create");
        var target = json.RequiredObject(c[1], "target", $"{path}.message_create");
        Span<int> t = stackalloc int[1];
        json.Scan(target, TargetFields, t);
        var recipient = json.RequiredId(t[0], "recipient_id", $"{path}.message_create.target");
        var data = json.RequiredObject(c[2], "message_data", $"{path}.message_create");
        Span<int> d = stackalloc int[DataFields.Length];
        json.Scan(data, DataFields, d);
        json.OptionalString(d[0], "text", $"{path}.message_create.message_data");
        if (!json.OptionalTime(f[3], "created_timestamp", path))
            throw new MalformedPayloadException($"'{path}.created_timestamp' is required.");

        var outbound = sender == account;
        var customerId = outbound ? recipient : sender;
        var usersObject = json.Type(users) == JsonTokenType.StartObject;
        if (usersObject && json.Find(users, customerId) is var profile and >= 0) CheckUser(json, profile, $"$.users.{customerId}");
        if (outbound && usersObject && json.Find(users, sender) is var me and >= 0)
        {
            json.RequireObjectFor(me, "screen_name");
            Span<int> s = stackalloc int[1];
            json.Scan(me, ScreenNameField, s);
            json.OptionalString(s[0], "screen_name", "$.users");
        }

        var attachment = json.Present(d[1]);
        if (json.Type(attachment) != JsonTokenType.StartObject) return;
        Span<int> a = stackalloc int[1];
        json.Scan(attachment, MediaListField, a);
        var media = json.Present(a[0]);
        if (json.Type(media) != JsonTokenType.StartObject) return;
        Span<int> mf = stackalloc int[MediaFields.Length];
        json.Scan(media, MediaFields, mf);
        if (json.OptionalString(mf[0], "media_url_https", path) is not null) json.OptionalString(mf[1], "type", path);
    }

    private static IEnumerable<byte[]> Names(params string[] names) => names.Select(System.Text.Encoding.UTF8.GetBytes);

    /// <summary>A body whose syntax has been checked, read by the positions of its values (-1: absent). Each
    /// accessor mirrors <see cref="PayloadReader"/>'s of the same name, message for message.</summary>
    private readonly ref struct Json
    {
        private readonly ReadOnlySpan<byte> _body;

        private Json(ReadOnlySpan<byte> body, int root)
        {
            _body = body;
            Root = root;
        }

        public int Root { get; }

        /// <summary>Reads the whole body as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
        /// with a depth of 64 does (PayloadReader.Parse), and refuses what it refuses, with its message.</summary>
        public static Json Of(ReadOnlySpan<byte> body)
        {
            try
            {
                var all = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
                all.Read();
                var root = (int)all.TokenStartIndex;
                while (all.Read()) { }
                return new Json(body, root);
            }
            catch (JsonException e)
            {
                throw new MalformedPayloadException($"The body is not valid JSON: {e.Message}");
            }
        }

        /// <summary>A reader on the value at <paramref name="at"/>, its first token read.</summary>
        public Utf8JsonReader Reader(int at)
        {
            var r = new Utf8JsonReader(_body[at..]);
            r.Read();
            return r;
        }

        public JsonTokenType Type(int at) => at < 0 ? JsonTokenType.None : Reader(at).TokenType;

        /// <summary>The position of the value, or -1 when it is absent or JSON null (PayloadReader.Optional).</summary>
        public int Present(int at) => Type(at) is JsonTokenType.None or JsonTokenType.Null ? -1 : at;

        /// <summary>Finds the values of <paramref name="names"/> in the object at <paramref name="obj"/> in one pass;
        /// of a repeated name the last, as <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> finds.</summary>
        public void Scan(int obj, byte[][] names, Span<int> found)
        {
            found.Fill(-1);
            var r = Reader(obj);
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var which = -1;
                for (var i = 0; i < names.Length; i++)
                {
                    if (r.ValueIsEscaped ? r.ValueTextEquals(names[i]) : r.ValueSpan.SequenceEqual(names[i]))
                    {
                        which = i;
                        break;
                    }
                }
                r.Read();
                if (which >= 0) found[which] = obj + (int)r.TokenStartIndex;
                r.Skip();
            }
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

        /// <summary>The positions of the items of the array at <paramref name="array"/> (none when it is -1).</summary>
        public List<int> Items(int array)
        {
            var items = new List<int>();
            if (array < 0) return items;
            var r = Reader(array);
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                items.Add(array + (int)r.TokenStartIndex);
                r.Skip();
            }
            return items;
        }

        /// <summary>What PayloadReader.Optional refuses: a field read from something that is not an object.</summary>
        public void RequireObjectFor(int at, string name)
        {
            if (Type(at) != JsonTokenType.StartObject)
                throw new MalformedPayloadException($"Expected an object with '{name}', found {Kind(at)}.");
        }

        public int RequiredObject(int at, string name, string path) =>
            Type(at) == JsonTokenType.StartObject ? at : throw Wrong(at, name, path, "an object");

        public int OptionalArray(int at, string name, string path) => Type(at) switch
        {
            JsonTokenType.None or JsonTokenType.Null => -1,
            JsonTokenType.StartArray => at,
            _ => throw Wrong(at, name, path, "an array"),
        };

        public string? OptionalString(int at, string name, string path)
        {
            if (Present(at) < 0) return null;
            var r = Reader(at);
            return r.TokenType == JsonTokenType.String ? r.GetString() : throw Wrong(at, name, path, "a string");
        }

        public string? OptionalId(int at, string name, string path)
        {
            if (Present(at) < 0) return null;
            var r = Reader(at);
            if (r.TokenType == JsonTokenType.String && r.GetString() is var s && !string.IsNullOrWhiteSpace(s)) return s;
            if (r.TokenType == JsonTokenType.Number && r.TryGetUInt64(out var n)) return n.ToString(CultureInfo.InvariantCulture);
            throw Wrong(at, name, path, "an id (a non-empty string or a whole number)");
        }

        public string RequiredId(int at, string name, string path) =>
            OptionalId(at, name, path) ?? throw Wrong(at, name, path, "an id");

        /// <returns>False when absent.</returns>
        public bool OptionalTime(int at, string name, string path)
        {
            if (Present(at) < 0) return false;
            var r = Reader(at);
            if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var n))
            {
                PayloadReader.FromEpoch(n);
                return true;
            }
            if (r.TokenType == JsonTokenType.String && PayloadReader.TimeFromString(r.GetString()!) is not null) return true;
            throw Wrong(at, name, path, PayloadReader.ExpectedTime);
        }

        private MalformedPayloadException Wrong(int at, string name, string path, string expected) =>
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
