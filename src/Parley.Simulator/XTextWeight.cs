using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Simulator;

/// <summary>Weighs tweet text as X does (twitter-text v3): most Latin and punctuation code points weigh 1,
/// others (CJK, emoji) 2, an emoji sequence counts once, and every URL weighs 23. Limit 280.</summary>
internal static partial class XTextWeight
{
    public const int Limit = 280;
    private const int UrlWeight = 23;

    [GeneratedRegex(@"https?://\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    public static int Of(string text)
    {
        text = text.Normalize(NormalizationForm.FormC);
        var weight = 0;
        var last = 0;
        foreach (Match url in Url().Matches(text))
        {
            weight += Plain(text[last..url.Index]) + UrlWeight;
            last = url.Index + url.Length;
        }
        return weight + Plain(text[last..]);
    }

    private static int Plain(string text)
    {
        var weight = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var runes = elements.GetTextElement().EnumerateRunes().ToList();
            // Light code points count one each; any heavy one (CJK, an emoji sequence) makes the element count 2.
            weight += runes.TrueForAll(r => IsLight(r.Value)) ? runes.Count : 2;
        }
        return weight;
    }

    private static bool IsLight(int codePoint) =>
        codePoint is <= 0x10FF or (>= 0x2000 and <= 0x200D) or (>= 0x2010 and <= 0x201F) or (>= 0x2032 and <= 0x2037);
}
