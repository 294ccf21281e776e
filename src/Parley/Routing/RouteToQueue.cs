namespace Parley.Routing;

/// <summary>What routing rules can look at.</summary>
public sealed record RoutingFacts(Guid BrandId, string ChannelKind, string? Language, string Text, int Priority);

/// <summary>One rule: every condition given must hold; the first matching rule (by order) decides the team.</summary>
public sealed record RoutingRule(int Order, Guid TeamId, Guid? BrandId = null, string? ChannelKind = null,
    string? Language = null, IReadOnlyList<string>? Keywords = null, int? MinPriority = null)
{
    /// <summary>The stored rule's id and name, so a decision can say which rule made it.</summary>
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
}

/// <summary>Decides which team's queue a conversation lands in.</summary>
public static class RouteToQueue
{
    /// <returns>The team and the rule that chose it, or null when no rule matches (the brand's general queue).</returns>
    public static (Guid TeamId, RoutingRule Rule)? For(RoutingFacts facts, IEnumerable<RoutingRule> rules)
    {
        foreach (var rule in rules.OrderBy(r => r.Order))
        {
            if (rule.BrandId is { } brand && brand != facts.BrandId) continue;
            if (rule.ChannelKind is { } kind && kind != facts.ChannelKind) continue;
            if (rule.Language is { } language && !string.Equals(language, facts.Language, StringComparison.OrdinalIgnoreCase)) continue;
            if (rule.MinPriority is { } min && facts.Priority < min) continue;
            if (rule.Keywords is { Count: > 0 } keywords && !keywords.Any(k => ContainsWord(facts.Text, k))) continue;
            return (rule.TeamId, rule);
        }
        return null;
    }

    // Whole words only: "refund" matches "Refund?" and "#refund", not "refunded".
    private static bool ContainsWord(string text, string keyword)
    {
        var at = 0;
        while ((at = text.IndexOf(keyword, at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var end = at + keyword.Length;
            var after = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (before && after) return true;
            at = end;
        }
        return false;
    }
}
