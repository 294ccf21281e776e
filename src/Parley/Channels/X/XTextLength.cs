using System.Globalization;
using System.Text.RegularExpressions;

namespace Parley.Channels.X;

/// <summary>Counts a tweet as X does (twitter-text v3 configuration): most Latin, Cyrillic and
/// punctuation code points weigh 1, others (CJK, emoji) weigh 2, every URL weighs 23, and the
/// limit is 280.</summary>
public static partial class XTextLength
{
    public const int Limit = 280;
    private const int UrlWeight = 23;

    [GeneratedRegex(@"https?://[^\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    public static int Weigh(string text)
    {
        var weight = 0;
        var last = 0;
        foreach (Match url in Url().Matches(text))
        {
            weight += WeighPlain(text[last..url.Index]) + UrlWeight;
            last = url.Index + url.Length;
        }
        return weight + WeighPlain(text[last..]);
    }

    private static int WeighPlain(string text)
    {
        var weight = 0;
        // An emoji sequence (one grapheme) counts once, as 2, however many code points make it up.
        var graphemes = StringInfo.GetTextElementEnumerator(text.Normalize(System.Text.NormalizationForm.FormC));
        while (graphemes.MoveNext())
        {
            var element = (string)graphemes.Current;
            var cp = char.ConvertToUtf32(element, 0);
            weight += element.Length > 1 && cp > 0xFFFF || element.Length > 2 ? 2 : Weight(cp);
        }
        return weight;
    }

    private static int Weight(int cp) =>
        cp is (>= 0 and <= 4351) or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 1 : 2;
}
