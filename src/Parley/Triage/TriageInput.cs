namespace Parley.Triage;

public enum PostVisibility { Public, Private }

/// <summary>One of the customer's earlier messages, for repeated contact and escalating tone.</summary>
public sealed record RecentMessage(string Text, DateTimeOffset At);

/// <summary>Everything triage reads about one inbound post. Only <see cref="Text"/>, <see cref="Visibility"/>,
/// <see cref="Network"/> and <see cref="Now"/> are required; the rest sharpen the signals when the
/// ingest pipeline knows them.</summary>
/// <param name="Now">The time of analysis (from the caller's <see cref="TimeProvider"/>): windows are measured from it.</param>
public sealed record TriageInput(string Text, PostVisibility Visibility, string Network, DateTimeOffset Now)
{
    public long AuthorFollowers { get; init; }
    public bool AuthorVerified { get; init; }
    /// <summary>The customer's earlier messages, any order; those within the last 48 hours count.</summary>
    public IReadOnlyList<RecentMessage> RecentMessages { get; init; } = [];
    /// <summary>How many earlier conversations this customer has had with the brand.</summary>
    public int PreviousContactCount { get; init; }
    /// <summary>The network says this is a share (retweet) without a comment of the customer's own.</summary>
    public bool IsShareWithoutComment { get; init; }
    /// <summary>When the conversation this post joins was last resolved, if it was.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>When the brand last replied in this conversation, if it did.</summary>
    public DateTimeOffset? LastBrandReplyAt { get; init; }
}

/// <summary>All signals for one post. Plain data: store it with the message, show it, send it through the API.</summary>
public sealed record TriageResult(
    SentimentResult Sentiment,
    IntentResult Intent,
    IReadOnlyList<TopicMatch> Topics,
    UrgencyResult Urgency,
    SensitiveDataResult SensitiveData,
    ModerationResult Moderation)
{
    /// <summary>Card numbers, IBANs or reference numbers in a public post: offer to continue in private.</summary>
    public bool SuggestPrivateChannel { get; init; }
    /// <summary>The text with sensitive values masked, for public views and exports.</summary>
    public string MaskedText { get; init; } = "";
}
