using System.Text;
using System.Text.Json;

namespace Parley.Triage;

/// <summary>Reads the stored form of a message's signals by hand, for the form <see cref="StoredSignalsWriter"/> writes
/// (camelCase names, numbers as numbers, defaults and empty lists left out), with a <see cref="Utf8JsonReader"/>
/// rather than the serializer's reflection path: processing parses the stored signals of a customer's waiting
/// messages for each of their next messages (docs/adr/0037). Anything else (another name, a null, a string where a
/// number was written, text from an older writer) is not guessed at: the caller hands the text to the serializer,
/// so every text reads exactly as the serializer reads it.</summary>
internal static class StoredSignalsReader
{
    /// <returns>False when the text is not in the writer's form (then <paramref name="signals"/> is null).</returns>
    public static bool TryRead(string json, out MessageSignals? signals)
    {
        signals = null;
        var bytes = Encoding.UTF8.GetBytes(json);
        var r = new Utf8JsonReader(bytes);
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
            SentimentSignal? sentiment = null;
            IReadOnlyList<IntentSignal>? intents = null;
            IReadOnlyList<string>? topics = null, urgency = null, evidence = null;
            IReadOnlyList<SensitiveSpan>? sensitive = null;
            ModerationSignal? moderation = null;
            var suggestPrivate = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var ok = r.ValueTextEquals("sentiment"u8) ? Sentiment(ref r, out sentiment)
                    : r.ValueTextEquals("intents"u8) ? Intents(ref r, out intents)
                    : r.ValueTextEquals("topics"u8) ? Strings(ref r, out topics)
                    : r.ValueTextEquals("urgency"u8) ? Strings(ref r, out urgency)
                    : r.ValueTextEquals("urgencyEvidence"u8) ? Strings(ref r, out evidence)
                    : r.ValueTextEquals("sensitive"u8) ? Sensitive(ref r, out sensitive)
                    : r.ValueTextEquals("moderation"u8) ? Moderation(ref r, out moderation)
                    : r.ValueTextEquals("suggestPrivateChannel"u8) && Boolean(ref r, out suggestPrivate);
                if (!ok) return false;
            }
            // The serializer refuses a text without the required sentiment (then the signals read as none).
            if (r.TokenType != JsonTokenType.EndObject || r.Read() || sentiment is null) return false;
            var read = new MessageSignals { Sentiment = sentiment, SuggestPrivateChannel = suggestPrivate };
            signals = read with
            {
                Intents = intents ?? read.Intents,
                Topics = topics ?? read.Topics,
                Urgency = urgency ?? read.Urgency,
                UrgencyEvidence = evidence ?? read.UrgencyEvidence,
                Sensitive = sensitive ?? read.Sensitive,
                Moderation = moderation ?? read.Moderation,
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Sentiment(ref Utf8JsonReader r, out SentimentSignal? sentiment)
    {
        sentiment = null;
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
        string? label = null;
        double score = 0, confidence = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var ok = r.ValueTextEquals("label"u8) ? String(ref r, out label)
                : r.ValueTextEquals("score"u8) ? Number(ref r, out score)
                : r.ValueTextEquals("confidence"u8) && Number(ref r, out confidence);
            if (!ok) return false;
        }
        if (r.TokenType != JsonTokenType.EndObject) return false;
        sentiment = new SentimentSignal(label!, score, confidence);
        return true;
    }

    private static bool Intents(ref Utf8JsonReader r, out IReadOnlyList<IntentSignal>? intents)
    {
        intents = null;
        if (!r.Read() || r.TokenType != JsonTokenType.StartArray) return false;
        var list = new List<IntentSignal>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string? intent = null;
            double confidence = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var ok = r.ValueTextEquals("intent"u8) ? String(ref r, out intent)
                    : r.ValueTextEquals("confidence"u8) && Number(ref r, out confidence);
                if (!ok) return false;
            }
            if (r.TokenType != JsonTokenType.EndObject) return false;
            list.Add(new IntentSignal(intent!, confidence));
        }
        if (r.TokenType != JsonTokenType.EndArray) return false;
        intents = list;
        return true;
    }

    private static bool Sensitive(ref Utf8JsonReader r, out IReadOnlyList<SensitiveSpan>? spans)
    {
        spans = null;
        if (!r.Read() || r.TokenType != JsonTokenType.StartArray) return false;
        var list = new List<SensitiveSpan>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string? kind = null;
            int start = 0, length = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var ok = r.ValueTextEquals("kind"u8) ? String(ref r, out kind)
                    : r.ValueTextEquals("start"u8) ? Integer(ref r, out start)
                    : r.ValueTextEquals("length"u8) && Integer(ref r, out length);
                if (!ok) return false;
            }
            if (r.TokenType != JsonTokenType.EndObject) return false;
            list.Add(new SensitiveSpan(kind!, start, length));
        }
        if (r.TokenType != JsonTokenType.EndArray) return false;
        spans = list;
        return true;
    }

    private static bool Moderation(ref Utf8JsonReader r, out ModerationSignal? moderation)
    {
        moderation = null;
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
        double abuse = 0;
        bool abusive = false, threat = false, spam = false, noReply = false, remove = false;
        IReadOnlyList<string>? reasons = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var ok = r.ValueTextEquals("abuseScore"u8) ? Number(ref r, out abuse)
                : r.ValueTextEquals("abusive"u8) ? Boolean(ref r, out abusive)
                : r.ValueTextEquals("threat"u8) ? Boolean(ref r, out threat)
                : r.ValueTextEquals("spam"u8) ? Boolean(ref r, out spam)
                : r.ValueTextEquals("noReplyNeeded"u8) ? Boolean(ref r, out noReply)
                : r.ValueTextEquals("remove"u8) ? Boolean(ref r, out remove)
                : r.ValueTextEquals("reasons"u8) && Strings(ref r, out reasons);
            if (!ok) return false;
        }
        if (r.TokenType != JsonTokenType.EndObject) return false;
        var read = new ModerationSignal { AbuseScore = abuse, Abusive = abusive, Threat = threat, Spam = spam, NoReplyNeeded = noReply, Remove = remove };
        moderation = reasons is null ? read : read with { Reasons = reasons };
        return true;
    }

    private static bool Strings(ref Utf8JsonReader r, out IReadOnlyList<string>? values)
    {
        values = null;
        if (!r.Read() || r.TokenType != JsonTokenType.StartArray) return false;
        var list = new List<string>();
        while (r.Read() && r.TokenType == JsonTokenType.String) list.Add(r.GetString()!);
        if (r.TokenType != JsonTokenType.EndArray) return false;
        values = list;
        return true;
    }

    private static bool String(ref Utf8JsonReader r, out string? value)
    {
        value = r.Read() && r.TokenType == JsonTokenType.String ? r.GetString() : null;
        return value is not null;
    }

    private static bool Number(ref Utf8JsonReader r, out double value)
    {
        value = 0;
        return r.Read() && r.TokenType == JsonTokenType.Number && r.TryGetDouble(out value);
    }

    private static bool Integer(ref Utf8JsonReader r, out int value)
    {
        value = 0;
        return r.Read() && r.TokenType == JsonTokenType.Number && r.TryGetInt32(out value);
    }

    private static bool Boolean(ref Utf8JsonReader r, out bool value)
    {
        value = false;
        if (!r.Read() || r.TokenType is not (JsonTokenType.True or JsonTokenType.False)) return false;
        value = r.GetBoolean();
        return true;
    }
}
