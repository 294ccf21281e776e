using System.Text.RegularExpressions;

namespace Parley.Templates;

/// <summary>A template after its variables were filled.</summary>
/// <param name="Missing">Variables the conversation had no value for (no order number mentioned, say).</param>
public sealed record RenderedTemplate(string Text, IReadOnlyList<string> Missing);

/// <summary>The variables saved replies may use, written <c>{customer.name}</c>, and their filling. Pure.</summary>
public static partial class TemplateVariables
{
    public static readonly IReadOnlyList<string> Known =
    [
        "customer.name", "customer.firstName", "customer.handle", "agent.name", "agent.firstName", "brand.name", "conversation.orderNumber",
    ];

    [GeneratedRegex(@"\{([a-z]+\.[A-Za-z]+)\}")]
    private static partial Regex Variable();

    /// <summary>Variables in <paramref name="text"/> that are not <see cref="Known"/> (a typo would otherwise go out to a customer).</summary>
    public static IReadOnlyList<string> Unknown(string text) =>
        [.. Variable().Matches(text).Select(m => m.Groups[1].Value).Where(v => !Known.Contains(v)).Distinct()];

    /// <summary>The known variables a text uses, in order of first use.</summary>
    public static IReadOnlyList<string> Used(string text) =>
        [.. Variable().Matches(text).Select(m => m.Groups[1].Value).Where(v => Known.Contains(v)).Distinct()];

    /// <param name="dropMissing">For text sent without a person reading it first (a timer rule's message): a variable
    /// without a value disappears, with the space or comma before it. Otherwise it stays, for the agent to fill in.</param>
    public static RenderedTemplate Render(string text, IReadOnlyDictionary<string, string?> values, bool dropMissing = false)
    {
        var missing = new List<string>();
        var result = Variable().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)) return value;
            if (Known.Contains(name) && !missing.Contains(name)) missing.Add(name);
            return dropMissing && Known.Contains(name) ? "\u0000" : m.Value;
        });
        if (dropMissing) result = Tidy(result);
        return new RenderedTemplate(result, missing);
    }

    // "Hi \0, thanks" -> "Hi, thanks"; "order \0 is" -> "order is".
    private static string Tidy(string text) => SpaceBeforeGap().Replace(text.Replace("\u0000", ""), m => m.Groups[1].Value).Trim();

    [GeneratedRegex(@" +([,.!?;:]|(?= ))")]
    private static partial Regex SpaceBeforeGap();

    public static string? FirstName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.All(char.IsDigit) ? null : name.Trim().Split(' ')[0];
}
