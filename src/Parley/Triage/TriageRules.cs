namespace Parley.Triage;

/// <summary>A brand-defined topic: found when a post contains one of its keywords (phrases, with '*' for
/// any ending) or says nearly the same as one of its examples. <see cref="PriorityBoost"/> lets a
/// brand push a topic up the inbox (a product recall, a launch day).</summary>
public sealed record TopicRule(string Name, IReadOnlyList<string> Keywords, IReadOnlyList<string>? Examples = null, int PriorityBoost = 0);

/// <summary>Which posts a brand wants taken out of the inbox. Each is a choice, not a fixed policy:
/// some brands keep abusive posts visible to answer them calmly in public.</summary>
public sealed record RemovalRules
{
    public bool RemoveAbuse { get; init; }
    public bool RemoveThreats { get; init; } = true;
    public bool RemoveSpam { get; init; } = true;
    /// <summary>The abuse model's probability above which a post counts as abusive.</summary>
    public float AbuseThreshold { get; init; } = 0.5f;
    /// <summary>Words or phrases that make a post abusive for this brand whatever the model says.</summary>
    public IReadOnlyList<string> BlockedTerms { get; init; } = [];
    /// <summary>Words or phrases that mark a post as spam for this brand (a known scam, a competitor's promotion).</summary>
    public IReadOnlyList<string> SpamTerms { get; init; } = [];
}

/// <summary>A brand's triage rules. Immutable: a brand that edits its rules gets a new instance, and
/// the compiled form of each instance is cached, so analysing a post never re-reads the rules.</summary>
public sealed record TriageRules
{
    public static TriageRules Default { get; } = new();

    public IReadOnlyList<TopicRule> Topics { get; init; } = [];
    public RemovalRules Removal { get; init; } = new();
    /// <summary>How long after a resolution (or a reply from the brand) a bare "thanks!" needs no answer.</summary>
    public TimeSpan AcknowledgementWindow { get; init; } = TimeSpan.FromDays(3);
}
