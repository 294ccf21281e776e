using System.Globalization;

namespace Parley.Triage;

/// <summary>Who the customer is, as far as the pipeline and the brand's own apps know.</summary>
public sealed record CustomerContext
{
    public long Followers { get; init; }
    public bool Verified { get; init; }
    /// <summary>Messages from this customer today, this one included.</summary>
    public int ContactsToday { get; init; } = 1;
    public int PreviousConversations { get; init; }
    /// <summary>Whether the customer's last conversation ended without a resolution.</summary>
    public bool LastConversationUnresolved { get; init; }
    /// <summary>A value a department's app supplies (lifetime value, plan tier as a number), if any.</summary>
    public decimal? Value { get; init; }
}

/// <summary>Points each signal adds to the priority (0-100). A brand adjusts them; the defaults put
/// safety and stranded travellers first, then money, anger and repeat contact, then reach.</summary>
public sealed record PriorityWeights
{
    public static PriorityWeights Default { get; } = new();

    public int Base { get; init; } = 10;
    public int Negative { get; init; } = 15;
    public int Safety { get; init; } = 60;
    public int Stranded { get; init; } = 30;
    public int TravellingSoon { get; init; } = 15;
    public int MoneyLost { get; init; } = 20;
    public int ServiceDown { get; init; } = 12;
    public int TimePressure { get; init; } = 8;
    public int RepeatedContact { get; init; } = 10;
    public int EscalatingTone { get; init; } = 10;
    public int Anger { get; init; } = 10;
    /// <summary>Points at a million followers; fewer followers earn proportionally less, on a log scale from 1,000.</summary>
    public int Reach { get; init; } = 15;
    public int Verified { get; init; } = 5;
    /// <summary>Points per contact today beyond the first, up to three.</summary>
    public int ContactToday { get; init; } = 5;
    public int UnresolvedHistory { get; init; } = 8;
    public int HighValue { get; init; } = 10;
    /// <summary>The <see cref="CustomerContext.Value"/> at or above which a customer counts as high value.</summary>
    public decimal HighValueFrom { get; init; } = 1000m;
    public int SensitiveInPublic { get; init; } = 10;
    public int Cancellation { get; init; } = 8;
    public int Abuse { get; init; } = -10;
}

/// <summary>A priority from 0 to 100 with the reasons that made it, largest first.</summary>
public sealed record PriorityScore(int Value, IReadOnlyList<string> Reasons)
{
    public override string ToString() => $"{Value} ({string.Join(", ", Reasons)})";
}

/// <summary>One explainable number per post: the sum of the weighted signals, capped to 0..100.</summary>
public static class Priority
{
    public static PriorityScore Score(TriageResult triage, CustomerContext customer, PriorityWeights weights)
    {
        var parts = new List<(double Points, string Reason)>(8);
        void Add(double points, string reason) { if (points != 0) parts.Add((points, reason)); }

        var m = triage.Moderation;
        if (m.Spam || m.NoReplyNeeded)
            return new PriorityScore(0, [m.Spam ? "spam" : "no reply needed"]);

        if (triage.Sentiment.Label == SentimentLabel.Negative)
            Add(weights.Negative * (0.5 + 0.5 * triage.Sentiment.Confidence), triage.Sentiment.Score < -0.8 ? "very negative" : "negative");
        foreach (var cue in triage.Urgency.Cues)
        {
            var (points, reason) = cue switch
            {
                UrgencyCue.Safety => (weights.Safety, "safety"),
                UrgencyCue.Stranded => (weights.Stranded, "stranded traveller"),
                UrgencyCue.TravellingSoon => (weights.TravellingSoon, "travelling soon"),
                UrgencyCue.MoneyLost => (weights.MoneyLost, "money lost"),
                UrgencyCue.ServiceDown => (weights.ServiceDown, "service down"),
                UrgencyCue.TimePressure => (weights.TimePressure, "time pressure"),
                UrgencyCue.RepeatedContact => (weights.RepeatedContact, "repeated contact"),
                UrgencyCue.EscalatingTone => (weights.EscalatingTone, "escalating tone"),
                UrgencyCue.Anger => (weights.Anger, "angry"),
                _ => (0, ""),
            };
            Add(points, reason);
        }
        foreach (var topic in triage.Topics) Add(topic.PriorityBoost, $"topic: {topic.Topic}");
        if (triage.Intent.Has(Intent.Cancellation, 0.5f)) Add(weights.Cancellation, "wants to cancel");
        if (triage.SuggestPrivateChannel) Add(weights.SensitiveInPublic, "sensitive data in public");
        if (m.Abusive) Add(weights.Abuse, m.Threat ? "threat" : "abusive");

        if (customer.Followers >= 1000)
        {
            // 1,000 followers earn nothing, a million the full weight: reach grows by orders of magnitude.
            var share = Math.Clamp((Math.Log10(customer.Followers) - 3) / 3, 0, 1);
            Add(Math.Max(1, weights.Reach * share), $"{FormatCount(customer.Followers)} followers");
        }
        if (customer.Verified) Add(weights.Verified, "verified");
        if (customer.ContactsToday >= 2)
            Add(weights.ContactToday * Math.Min(customer.ContactsToday - 1, 3), $"{Ordinal(customer.ContactsToday)} contact today");
        if (customer.LastConversationUnresolved) Add(weights.UnresolvedHistory, "last conversation unresolved");
        if (customer.Value is { } value && value >= weights.HighValueFrom) Add(weights.HighValue, "high-value customer");

        var sum = 0.0;
        foreach (var p in parts) sum += p.Points;
        var total = weights.Base + sum;
        return new PriorityScore((int)Math.Round(Math.Clamp(total, 0, 100)), ReasonsOf(parts));
    }

    /// <summary>The reasons that added points, largest first (ties in the order found), then those that took points away.</summary>
    private static List<string> ReasonsOf(List<(double Points, string Reason)> parts)
    {
        var reasons = new List<string>(parts.Count);
        var points = new List<double>(parts.Count);
        foreach (var (value, reason) in parts)
        {
            if (value <= 0) continue;
            // An insertion sort that keeps ties in order, as OrderByDescending does: a handful of parts at most.
            var at = points.Count;
            while (at > 0 && points[at - 1] < value) at--;
            points.Insert(at, value);
            reasons.Insert(at, reason);
        }
        foreach (var (value, reason) in parts)
            if (value < 0) reasons.Add(reason);
        return reasons;
    }

    /// <summary>"48k", "1.2M": how people say follower counts.</summary>
    public static string FormatCount(long count) => count switch
    {
        >= 1_000_000 => (count / 1_000_000.0).ToString(count >= 10_000_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1_000.0).ToString(count >= 10_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + "k",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    private static string Ordinal(int n) => n switch
    {
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ => $"{n}th",
    };
}
