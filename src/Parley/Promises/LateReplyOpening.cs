using System.Globalization;

namespace Parley.Promises;

/// <summary>An opening for replies at least <see cref="AtLeast"/> late. Placeholders: {customerName},
/// {delay} ("3 days") and {reason}.</summary>
public sealed record LateReplyTemplate(TimeSpan AtLeast, string Text);

/// <summary>How a brand apologises for a late answer: a few templates by how late, the most specific that
/// applies is used.</summary>
/// <param name="NameWhenUnknown">Greets a customer whose name we do not know ("Hi there").</param>
public sealed record BrandVoice(IReadOnlyList<LateReplyTemplate> Templates, string NameWhenUnknown = "there")
{
    public static BrandVoice Default { get; } = new([
        new(TimeSpan.Zero, "Hi {customerName}, thanks for bearing with us – we're sorry it took {delay} to reply: {reason}."),
        new(TimeSpan.FromDays(1), "Hi {customerName}, we're sorry for taking {delay} to get back to you – {reason}."),
        new(TimeSpan.FromDays(7), "Hi {customerName}, we owe you an apology: your message waited {delay} for an answer, and that is not good enough – {reason}."),
    ]);
}

/// <param name="Text">The opening, for the agent to edit before sending.</param>
/// <param name="NeedsReason">True when no reason was given and the text still holds "{reason}" for the agent to
/// replace: an apology without a reason reads as a form letter.</param>
public sealed record LateReplyDraft(string Text, bool NeedsReason);

public static class LateReplyOpening
{
    public const string ReasonPlaceholder = "{reason}";

    /// <summary>An opening that apologises for <paramref name="delay"/> and gives <paramref name="reason"/>
    /// in the brand's voice.</summary>
    public static LateReplyDraft Compose(BrandVoice voice, TimeSpan delay, string? customerName, string? reason = null)
    {
        var template = voice.Templates.Where(t => t.AtLeast <= delay).MaxBy(t => t.AtLeast)
            ?? voice.Templates.MinBy(t => t.AtLeast)
            ?? throw new ArgumentException("The brand voice has no late-reply templates.", nameof(voice));
        var name = string.IsNullOrWhiteSpace(customerName) ? voice.NameWhenUnknown : customerName.Trim();
        var givenReason = reason?.Trim().TrimEnd('.', '!', ' ');
        var text = template.Text
            .Replace("{customerName}", name, StringComparison.Ordinal)
            .Replace("{delay}", Describe(delay), StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(givenReason)) text = text.Replace(ReasonPlaceholder, givenReason, StringComparison.Ordinal);
        return new(text, text.Contains(ReasonPlaceholder, StringComparison.Ordinal));
    }

    /// <summary>A duration as a person would say it, rounded to the nearest whole unit: "a minute",
    /// "45 minutes", "an hour", "3 hours", "2 days", "3 weeks", "4 months", "2 years".</summary>
    public static string Describe(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(30)) return "a moment";
        var minutes = (long)Math.Round(duration.TotalMinutes, MidpointRounding.AwayFromZero);
        if (minutes < 60) return Count(minutes, "a minute", "minutes");
        var hours = (long)Math.Round(duration.TotalHours, MidpointRounding.AwayFromZero);
        if (hours < 24) return Count(hours, "an hour", "hours");
        var days = (long)Math.Round(duration.TotalDays, MidpointRounding.AwayFromZero);
        if (days < 14) return Count(days, "a day", "days");
        var weeks = (long)Math.Round(duration.TotalDays / 7, MidpointRounding.AwayFromZero);
        if (weeks < 8) return Count(weeks, "a week", "weeks");
        var months = (long)Math.Round(duration.TotalDays / 30.436875, MidpointRounding.AwayFromZero);
        if (months < 12) return Count(months, "a month", "months");
        return Count((long)Math.Round(duration.TotalDays / 365.2425, MidpointRounding.AwayFromZero), "a year", "years");
    }

    private static string Count(long n, string one, string many) =>
        n == 1 ? one : string.Create(CultureInfo.InvariantCulture, $"{n} {many}");
}
