namespace Parley.Platform.Webhooks;

/// <summary>Which event types a subscription asked for: <c>*</c> (all), <c>conversation.*</c> (a family) or an
/// exact type. A family wildcard matches at a dot boundary only, so <c>conversation.*</c> does not match
/// <c>conversations.x</c>.</summary>
public static class EventTypePatterns
{
    public static bool IsValid(string pattern)
    {
        if (pattern == "*") return true;
        var family = pattern.EndsWith(".*", StringComparison.Ordinal) ? pattern[..^2] : pattern;
        return family.Length is > 0 and <= 64
            && family.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_')
            && !family.StartsWith('.') && !family.EndsWith('.') && !family.Contains("..", StringComparison.Ordinal);
    }

    public static bool Matches(string pattern, string type) =>
        pattern == "*"
        || (pattern.EndsWith(".*", StringComparison.Ordinal)
            ? type.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : pattern == type);

    public static bool MatchesAny(IEnumerable<string> patterns, string type) => patterns.Any(p => Matches(p, type));
}
