using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Simulator;

/// <summary>The <c>entities</c> of a v1.1 tweet or DM, found in the text the way X finds them. Indices count
/// Unicode code points, as X's do.</summary>
internal static partial class XEntities
{
    /// <summary>A hashtag, cashtag, mention (with its user) or URL (with where it leads and how it shows).</summary>
    public sealed record Entity(string Text, int Start, int End, SimXUser? User = null, string? Expanded = null, string? Display = null);

    public sealed record Found(List<Entity> Hashtags, List<Entity> Urls, List<Entity> Mentions, List<Entity> Symbols)
    {
        /// <summary>Only the entities that end within the first <paramref name="codePoints"/> code points.</summary>
        public Found Within(int codePoints) => new(
            Hashtags.FindAll(e => e.End <= codePoints), Urls.FindAll(e => e.End <= codePoints),
            Mentions.FindAll(e => e.End <= codePoints), Symbols.FindAll(e => e.End <= codePoints));
    }

    [GeneratedRegex(@"(?<![\w@＠])[@＠](\w{1,15})(?![\w@])")]
    private static partial Regex Mention();

    [GeneratedRegex(@"(?<![\w&#＃])[#＃](\w*[^\W\d]\w*)")]
    private static partial Regex Hashtag();

    [GeneratedRegex(@"(?<![\w$])\$([A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?)(?![\w$])")]
    private static partial Regex Cashtag();

    [GeneratedRegex(@"https?://[^\s\u3000]+?(?=[.,;:!?)\]'""]*(?:\s|$))", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    /// <summary>Mentions resolve through <paramref name="resolve"/> (by screen name, case-insensitive); unresolved ones are left out.</summary>
    public static Found Find(string text, Func<string, SimXUser?> resolve)
    {
        var mentions = new List<Entity>();
        foreach (Match m in Mention().Matches(text))
        {
            if (resolve(m.Groups[1].Value) is { } user) mentions.Add(Span(text, m, user.ScreenName, user));
        }
        return new Found(
            [.. Hashtag().Matches(text).Select(m => Span(text, m, m.Groups[1].Value))],
            [.. Url().Matches(text).Select(m => Span(text, m, m.Value))],
            mentions,
            [.. Cashtag().Matches(text).Select(m => Span(text, m, m.Groups[1].Value))]);
    }

    /// <summary>Writes <c>"entities": {...}</c>; tweets list hashtags, urls, user_mentions, symbols, DMs hashtags, symbols, user_mentions, urls.</summary>
    public static void Write(Utf8JsonWriter w, Found found, bool dmOrder)
    {
        w.WriteStartObject("entities");
        Tags(w, "hashtags", found.Hashtags);
        if (dmOrder)
        {
            Tags(w, "symbols", found.Symbols);
            Mentions(w, found.Mentions);
            Urls(w, found.Urls);
        }
        else
        {
            Urls(w, found.Urls);
            Mentions(w, found.Mentions);
            Tags(w, "symbols", found.Symbols);
        }
        w.WriteEndObject();
    }

    private static void Indices(Utf8JsonWriter w, int start, int end)
    {
        w.WriteStartArray("indices");
        w.WriteNumberValue(start);
        w.WriteNumberValue(end);
        w.WriteEndArray();
    }

    private static void Url(Utf8JsonWriter w, string url, string expanded, string display, int start, int end)
    {
        w.WriteStartObject();
        w.WriteString("url", url);
        w.WriteString("expanded_url", expanded);
        w.WriteString("display_url", display);
        Indices(w, start, end);
        w.WriteEndObject();
    }

    /// <summary>Code points in <paramref name="text"/> before UTF-16 index <paramref name="index"/>.</summary>
    public static int CodePoints(string text, int index)
    {
        var count = 0;
        for (var i = 0; i < index; i++, count++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
        }
        return count;
    }

    private static Entity Span(string text, Match m, string value, SimXUser? user = null) =>
        new(value, CodePoints(text, m.Index), CodePoints(text, m.Index + m.Length), user);

    private static void Tags(Utf8JsonWriter w, string name, List<Entity> tags)
    {
        w.WriteStartArray(name);
        foreach (var tag in tags)
        {
            w.WriteStartObject();
            w.WriteString("text", tag.Text);
            Indices(w, tag.Start, tag.End);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Urls(Utf8JsonWriter w, List<Entity> urls)
    {
        w.WriteStartArray("urls");
        // The link itself is all the text holds; without the original target it stands for itself.
        foreach (var u in urls) Url(w, u.Text, u.Expanded ?? u.Text, u.Display ?? Display(u.Text), u.Start, u.End);
        w.WriteEndArray();
    }

    private static void Mentions(Utf8JsonWriter w, List<Entity> mentions)
    {
        w.WriteStartArray("user_mentions");
        foreach (var m in mentions)
        {
            w.WriteStartObject();
            w.WriteString("screen_name", m.User!.ScreenName);
            w.WriteString("name", m.User.Name);
            XJson.Id(w, "id", m.User.Id);
            w.WriteString("id_str", m.User.Id);
            Indices(w, m.Start, m.End);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static string Display(string url)
    {
        var bare = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return bare.Length > 26 ? bare[..25] + "…" : bare;
    }
}
