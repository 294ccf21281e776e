using System.Collections;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Parley.Triage;

/// <summary>Mood of a post or a burst: the label, the score from -1 to +1, and how sure the model is.</summary>
public sealed record SentimentSignal(string Label, double Score, double Confidence);

public sealed record IntentSignal(string Intent, double Confidence);

/// <summary>Where a sensitive value sits in the message's original text (UTF-16 offsets), and what it is.</summary>
public sealed record SensitiveSpan(string Kind, int Start, int Length);

/// <summary>Abuse, threats, spam and "no reply needed", and whether the brand's rules take the post out of the inbox.</summary>
public sealed record ModerationSignal
{
    public double AbuseScore { get; init; }
    public bool Abusive { get; init; }
    public bool Threat { get; init; }
    public bool Spam { get; init; }
    public bool NoReplyNeeded { get; init; }
    /// <summary>The brand's removal rules take this post out of the inbox.</summary>
    public bool Remove { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];

    [JsonIgnore]
    public bool IsClean => AbuseScore == 0 && !Abusive && !Threat && !Spam && !NoReplyNeeded && !Remove && Reasons.Count == 0;

    public ModerationResult ToResult() => new((float)AbuseScore, Abusive, Threat, Spam, NoReplyNeeded, Remove, Reasons);
}

/// <summary>The signals of one inbound message, as stored with it (one JSON text column, the same on SQLite
/// and PostgreSQL) and as the API returns them. Empty lists, false flags and zeros are left out of the stored
/// form and come back as their defaults.</summary>
public sealed record MessageSignals
{
    public required SentimentSignal Sentiment { get; init; }
    /// <summary>The most likely first.</summary>
    public IReadOnlyList<IntentSignal> Intents { get; init; } = [];
    public IReadOnlyList<string> Topics { get; init; } = [];
    /// <summary>Urgency cues, camelCase: safety, stranded, travellingSoon, moneyLost, serviceDown, timePressure,
    /// repeatedContact, escalatingTone, anger.</summary>
    public IReadOnlyList<string> Urgency { get; init; } = [];
    /// <summary>The words that showed the cues.</summary>
    public IReadOnlyList<string> UrgencyEvidence { get; init; } = [];
    public IReadOnlyList<SensitiveSpan> Sensitive { get; init; } = [];
    public ModerationSignal Moderation { get; init; } = new();
    /// <summary>Card numbers, IBANs or reference numbers in a public post: continue in private.</summary>
    public bool SuggestPrivateChannel { get; init; }

    public static MessageSignals From(TriageResult r) => new()
    {
        Sentiment = SentimentOf(r.Sentiment),
        Intents = IntentsOf(r.Intent),
        Topics = TopicsOf(r.Topics),
        Urgency = UrgencyOf(r.Urgency),
        UrgencyEvidence = r.Urgency.Evidence,
        Sensitive = SensitiveOf(r.SensitiveData),
        Moderation = ModerationOf(r.Moderation),
        SuggestPrivateChannel = r.SuggestPrivateChannel,
    };

    internal static IReadOnlyList<string> TopicsOf(IReadOnlyList<TopicMatch> topics)
    {
        if (topics.Count == 0) return [];
        var names = new string[topics.Count];
        for (var i = 0; i < names.Length; i++) names[i] = topics[i].Topic;
        return names;
    }

    internal static IReadOnlyList<string> UrgencyOf(UrgencyResult urgency)
    {
        if (urgency.Cues.Count == 0) return [];
        var names = new string[urgency.Cues.Count];
        for (var i = 0; i < names.Length; i++) names[i] = StoredSignals.Name(urgency.Cues[i]);
        return names;
    }

    private static SensitiveSpan[] SensitiveOf(SensitiveDataResult sensitive)
    {
        if (sensitive.Matches.Count == 0) return [];
        var spans = new SensitiveSpan[sensitive.Matches.Count];
        for (var i = 0; i < spans.Length; i++)
        {
            var m = sensitive.Matches[i];
            spans[i] = new SensitiveSpan(StoredSignals.Name(m.Kind), m.Start, m.Length);
        }
        return spans;
    }

    internal static SentimentSignal SentimentOf(SentimentResult s) =>
        new(StoredSignals.Name(s.Label), Math.Round(s.Score, 3), Math.Round(s.Confidence, 3));

    internal static IReadOnlyList<IntentSignal> IntentsOf(IntentResult intent) => intent.All.Count == 0
        ? [new IntentSignal(StoredSignals.Name(intent.Primary), Math.Round(intent.Confidence, 3))]
        : [.. intent.All.Take(3).Select(s => new IntentSignal(StoredSignals.Name(s.Intent), Math.Round(s.Confidence, 3)))];

    internal static ModerationSignal ModerationOf(ModerationResult m) => new()
    {
        AbuseScore = Math.Round(m.AbuseScore, 3),
        Abusive = m.Abusive,
        Threat = m.Threat,
        Spam = m.Spam,
        NoReplyNeeded = m.NoReplyNeeded,
        Remove = m.Remove,
        Reasons = m.Reasons,
    };
}

/// <summary>Who the customer is, as the priority saw them.</summary>
public sealed record CustomerSignals
{
    public long Followers { get; init; }
    public bool Verified { get; init; }
    /// <summary>Separate contacts (bursts) in the 24 hours up to the latest message, that one included.</summary>
    public int ContactsToday { get; init; }
    public int PreviousConversations { get; init; }
    public bool LastConversationUnresolved { get; init; }
    public decimal? Value { get; init; }
}

/// <summary>The signals of a conversation: the customer's messages that wait for an answer read together
/// (or, once answered, their last burst), with moderation and sensitive data taken message by message,
/// and the customer as the priority saw them.</summary>
public sealed record ConversationSignals
{
    public required SentimentSignal Sentiment { get; init; }
    public IReadOnlyList<IntentSignal> Intents { get; init; } = [];
    public IReadOnlyList<string> Topics { get; init; } = [];
    public IReadOnlyList<string> Urgency { get; init; } = [];
    public IReadOnlyList<string> UrgencyEvidence { get; init; } = [];
    /// <summary>Kinds of sensitive data in those messages (cardNumber, iban, phone, email, orderNumber).</summary>
    public IReadOnlyList<string> SensitiveKinds { get; init; } = [];
    public ModerationSignal Moderation { get; init; } = new();
    public bool SuggestPrivateChannel { get; init; }
    /// <summary>How many customer messages were read together.</summary>
    public int MessagesRead { get; init; }
    public CustomerSignals Customer { get; init; } = new();
}

/// <summary>The compact JSON form signals are stored in.</summary>
public static class StoredSignals
{
    /// <summary>Source-generated metadata (no reflection per call: writing signals is on the ingest path).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        TypeInfoResolver = StoredSignalsJsonContext.Default.WithAddedModifier(SkipEmptyCollections),
    };

    /// <summary>Reading goes through reflection: source-generated code sets every init-only property, so a list
    /// left out of the stored form would come back null instead of empty.</summary>
    private static readonly JsonSerializerOptions ReadJson = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T signals) => JsonSerializer.Serialize(signals, Json);

    /// <summary>The same text as <see cref="Write{T}(T)"/>, written by hand (<see cref="StoredSignalsWriter"/>).</summary>
    public static string Write(MessageSignals signals) => StoredSignalsWriter.Write(signals);

    /// <summary>The same text as <see cref="Write{T}(T)"/>, written by hand (<see cref="StoredSignalsWriter"/>).</summary>
    public static string Write(ConversationSignals signals) => StoredSignalsWriter.Write(signals);

    /// <summary>Null for null or unreadable text: a signal column is a cache of what triage says, never a reason to fail.</summary>
    public static T? Read<T>(string? json) where T : class
    {
        if (string.IsNullOrEmpty(json)) return null;
        // A message's signals in the form the writer writes are read by hand; any other text as the serializer reads it.
        if (typeof(T) == typeof(MessageSignals) && StoredSignalsReader.TryRead(json, out var signals)) return (T?)(object?)signals;
        try { return JsonSerializer.Deserialize<T>(json, ReadJson); }
        catch (JsonException) { return null; }
    }

    public static string Write(IReadOnlyList<string> reasons) => StoredSignalsWriter.Write(reasons);

    public static IReadOnlyList<string> ReadReasons(string? json) => Read<List<string>>(json) ?? [];

    private static void SkipEmptyCollections(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
            if (property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType))
                property.ShouldSerialize = (_, value) => value is ICollection { Count: > 0 } or not ICollection and not null;
            else if (property.PropertyType == typeof(ModerationSignal))
                property.ShouldSerialize = (_, value) => value is ModerationSignal { IsClean: false };
    }

    /// <summary>camelCase, as the API names enums.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        NamesOf<T>.Known.TryGetValue(value, out var name) ? name : JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Each enum's names made once: they are written for every signal of every message.</summary>
    private static class NamesOf<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Known = Enum.GetValues<T>().Distinct()
            .ToFrozenDictionary(v => v, v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString()));
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(MessageSignals))]
[JsonSerializable(typeof(ConversationSignals))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StoredSignalsJsonContext : JsonSerializerContext;
