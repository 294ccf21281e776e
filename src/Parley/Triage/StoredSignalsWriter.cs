using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Parley.Triage;

/// <summary>Writes the stored form of signals by hand, to the byte what <see cref="StoredSignals.Json"/> writes
/// (camelCase, defaults and empty lists left out, the default encoder's escaping), which the serializer cannot do
/// without its slower metadata path: signals are written twice for every inbound message (docs/adr/0032). A test
/// pins the text, and the serializer still reads it.</summary>
internal static class StoredSignalsWriter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    public static string Write(MessageSignals s) => Write(s, static (w, s) =>
    {
        w.WriteStartObject();
        Sentiment(w, s.Sentiment);
        Intents(w, s.Intents);
        Strings(w, "topics", s.Topics);
        Strings(w, "urgency", s.Urgency);
        Strings(w, "urgencyEvidence", s.UrgencyEvidence);
        if (s.Sensitive.Count > 0)
        {
            w.WriteStartArray("sensitive");
            foreach (var span in s.Sensitive)
            {
                w.WriteStartObject();
                if (span.Kind is not null) w.WriteString("kind", span.Kind);
                if (span.Start != 0) w.WriteNumber("start", span.Start);
                if (span.Length != 0) w.WriteNumber("length", span.Length);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        Moderation(w, s.Moderation);
        if (s.SuggestPrivateChannel) w.WriteBoolean("suggestPrivateChannel", true);
        w.WriteEndObject();
    });

    public static string Write(ConversationSignals s) => Write(s, static (w, s) =>
    {
        w.WriteStartObject();
        Sentiment(w, s.Sentiment);
        Intents(w, s.Intents);
        Strings(w, "topics", s.Topics);
        Strings(w, "urgency", s.Urgency);
        Strings(w, "urgencyEvidence", s.UrgencyEvidence);
        Strings(w, "sensitiveKinds", s.SensitiveKinds);
        Moderation(w, s.Moderation);
        if (s.SuggestPrivateChannel) w.WriteBoolean("suggestPrivateChannel", true);
        if (s.MessagesRead != 0) w.WriteNumber("messagesRead", s.MessagesRead);
        if (s.Customer is { } c)
        {
            w.WriteStartObject("customer");
            if (c.Followers != 0) w.WriteNumber("followers", c.Followers);
            if (c.Verified) w.WriteBoolean("verified", true);
            if (c.ContactsToday != 0) w.WriteNumber("contactsToday", c.ContactsToday);
            if (c.PreviousConversations != 0) w.WriteNumber("previousConversations", c.PreviousConversations);
            if (c.LastConversationUnresolved) w.WriteBoolean("lastConversationUnresolved", true);
            if (c.Value is { } value) w.WriteNumber("value", value);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    public static string Write(IReadOnlyList<string> reasons) => Write(reasons, static (w, reasons) =>
    {
        w.WriteStartArray();
        foreach (var r in reasons) w.WriteStringValue(r);
        w.WriteEndArray();
    });

    private static string Write<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        write(writer, value);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Sentiment(Utf8JsonWriter w, SentimentSignal? s)
    {
        if (s is null) return;
        w.WriteStartObject("sentiment");
        if (s.Label is not null) w.WriteString("label", s.Label);
        if (s.Score != 0) w.WriteNumber("score", s.Score);
        if (s.Confidence != 0) w.WriteNumber("confidence", s.Confidence);
        w.WriteEndObject();
    }

    private static void Intents(Utf8JsonWriter w, IReadOnlyList<IntentSignal>? intents)
    {
        if (intents is not { Count: > 0 }) return;
        w.WriteStartArray("intents");
        foreach (var i in intents)
        {
            w.WriteStartObject();
            if (i.Intent is not null) w.WriteString("intent", i.Intent);
            if (i.Confidence != 0) w.WriteNumber("confidence", i.Confidence);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is not { Count: > 0 }) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Moderation(Utf8JsonWriter w, ModerationSignal? m)
    {
        if (m is null || m.IsClean) return;
        w.WriteStartObject("moderation");
        if (m.AbuseScore != 0) w.WriteNumber("abuseScore", m.AbuseScore);
        if (m.Abusive) w.WriteBoolean("abusive", true);
        if (m.Threat) w.WriteBoolean("threat", true);
        if (m.Spam) w.WriteBoolean("spam", true);
        if (m.NoReplyNeeded) w.WriteBoolean("noReplyNeeded", true);
        if (m.Remove) w.WriteBoolean("remove", true);
        Strings(w, "reasons", m.Reasons);
        w.WriteEndObject();
    }
}
