using System.Collections.Frozen;
using System.Globalization;

namespace Parley.Triage;

/// <summary>What the lexicon makes of a post: the rule-based half of sentiment. The learned model
/// uses these as features, so negation, emphasis and emoji keep working on words and topics the
/// training tweets never contained.</summary>
public readonly record struct LexiconSignals(
    float PositiveSum, float NegativeSum, int PositiveWords, int NegativeWords, int NegatedWords,
    int PositiveEmoji, int NegativeEmoji, int Exclamations, int Questions, int CapsWords, int ElongatedWords)
{
    /// <summary>VADER-style normalisation of the summed valence into [-1, 1].</summary>
    public float Compound
    {
        get
        {
            var sum = PositiveSum + NegativeSum;
            return sum / MathF.Sqrt(sum * sum + 15f);
        }
    }
}

/// <summary>Word, emoticon and emoji valences with the rules that change them in context:
/// negation flips and damps a valence, intensifiers and capitals strengthen it, "but" shifts weight
/// to the clause after it, and "!" amplifies the whole post.</summary>
public sealed class SentimentLexicon
{
    private const float Boost = 0.293f;
    private const float CapsBoost = 0.733f;
    private const float NegationScale = -0.74f;
    private const int NegationReach = 3;

    // Frozen: built once, then read for every token of every post; frozen tables hash faster.
    private readonly FrozenDictionary<string, float> _valence;
    private readonly FrozenDictionary<string, float>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private static readonly FrozenSet<string> Negators = new[]
    {
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "without", "cannot",
        "cant", "can't", "dont", "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt", "isn't", "arent",
        "aren't", "wasnt", "wasn't", "werent", "weren't", "wont", "won't", "wouldnt", "wouldn't", "shouldnt",
        "shouldn't", "couldnt", "couldn't", "havent", "haven't", "hasnt", "hasn't", "hadnt", "hadn't", "aint",
        "ain't", "nope", "rarely", "seldom", "hardly", "barely", "lack", "lacks", "lacking",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, float> Intensifiers = new Dictionary<string, float>(StringComparer.Ordinal)
    {
        ["very"] = Boost, ["so"] = Boost, ["really"] = Boost, ["extremely"] = Boost, ["absolutely"] = Boost,
        ["totally"] = Boost, ["completely"] = Boost, ["utterly"] = Boost, ["incredibly"] = Boost,
        ["super"] = Boost, ["too"] = Boost, ["most"] = Boost, ["more"] = Boost, ["truly"] = Boost,
        ["highly"] = Boost, ["seriously"] = Boost, ["fucking"] = Boost, ["freaking"] = Boost, ["effing"] = Boost,
        ["hella"] = Boost, ["soo"] = Boost, ["sooo"] = Boost, ["damn"] = Boost, ["such"] = Boost,
        ["especially"] = Boost, ["insanely"] = Boost, ["ridiculously"] = Boost, ["beyond"] = Boost,
        ["kinda"] = -Boost, ["somewhat"] = -Boost, ["slightly"] = -Boost, ["little"] = -Boost,
        ["bit"] = -Boost, ["sorta"] = -Boost, ["fairly"] = -Boost, ["almost"] = -Boost, ["partly"] = -Boost,
        ["marginally"] = -Boost, ["occasionally"] = -Boost, ["less"] = -Boost,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, float> _emoji;

    public SentimentLexicon(Dictionary<string, float> words, Dictionary<string, float> emoji)
    {
        _valence = words.ToFrozenDictionary(StringComparer.Ordinal);
        _lookup = _valence.GetAlternateLookup<ReadOnlySpan<char>>();
        _emoji = emoji.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Reads "entry TAB valence" lines (the VADER lexicon and Parley's emoji list share the form).</summary>
    public static Dictionary<string, float> ReadValences(string path)
    {
        var result = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0) continue;
            var valueEnd = line.IndexOf('\t', tab + 1);
            var value = line.AsSpan(tab + 1, (valueEnd < 0 ? line.Length : valueEnd) - tab - 1);
            result.TryAdd(line[..tab].ToLowerInvariant(), float.Parse(value, CultureInfo.InvariantCulture));
        }
        return result;
    }

    public static bool IsNegator(string word) => Negators.Contains(word);

    /// <summary>The valence of one token before context rules, or 0 when the lexicon has no opinion.</summary>
    public float ValenceOf(in Token token) => token.Kind switch
    {
        TokenKind.Emoji => _emoji.GetValueOrDefault(token.Text),
        TokenKind.Word or TokenKind.Emoticon => WordValence(token),
        _ => 0f,
    };

    private float WordValence(in Token token)
    {
        var word = token.Text;
        if (_valence.TryGetValue(word, out var v)) return v;
        if (!token.Elongated) return 0f;
        // The tokenizer squeezed "baaaad" to "baad" (it cannot know that "good" keeps its double o):
        // try the word with each remaining double letter made single.
        Span<char> single = stackalloc char[word.Length];
        for (var i = 1; i < word.Length; i++)
        {
            if (word[i] != word[i - 1]) continue;
            word.AsSpan(0, i).CopyTo(single);
            word.AsSpan(i + 1).CopyTo(single[i..]);
            if (_lookup.TryGetValue(single[..(word.Length - 1)], out v)) return v;
        }
        return 0f;
    }

    public LexiconSignals Score(List<Token> tokens)
    {
        var shoutingPost = IsShoutingPost(tokens);
        float positive = 0, negative = 0;
        int positiveWords = 0, negativeWords = 0, negated = 0, positiveEmoji = 0, negativeEmoji = 0;
        int exclamations = 0, questions = 0, caps = 0, elongated = 0;
        var butAt = FindBut(tokens);

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == TokenKind.Punctuation)
            {
                if (token.Text[0] == '!') exclamations += token.Text.Length;
                else if (token.Text[0] == '?') questions += token.Text.Length;
                continue;
            }
            if (token.AllCaps) caps++;
            if (token.Elongated) elongated++;
            var v = ValenceOf(token);
            if (v == 0f) continue;

            if (token.Kind == TokenKind.Word)
            {
                // Emphasis makes a word stronger in the direction it already points.
                if (token.AllCaps && !shoutingPost) v += MathF.Sign(v) * CapsBoost;
                if (token.Elongated) v += MathF.Sign(v) * Boost;
                v += MathF.Sign(v) * IntensityBefore(tokens, i);
                if (IsNegated(tokens, i))
                {
                    v *= NegationScale;
                    negated++;
                }
            }
            if (butAt >= 0) v *= i < butAt ? 0.5f : 1.5f;

            if (v > 0)
            {
                positive += v;
                if (token.Kind == TokenKind.Emoji || token.Kind == TokenKind.Emoticon) positiveEmoji++; else positiveWords++;
            }
            else
            {
                negative += v;
                if (token.Kind == TokenKind.Emoji || token.Kind == TokenKind.Emoticon) negativeEmoji++; else negativeWords++;
            }
        }

        // Exclamation marks amplify whatever the post already says, up to four of them.
        var amplify = Math.Min(exclamations, 4) * 0.292f;
        if (positive > -negative) positive += amplify; else if (negative < 0) negative -= amplify;
        return new LexiconSignals(positive, negative, positiveWords, negativeWords, negated,
            positiveEmoji, negativeEmoji, exclamations, questions, caps, elongated);
    }

    /// <summary>Whether a negator precedes the word within reach, in the same clause.</summary>
    public static bool IsNegated(List<Token> tokens, int index)
    {
        for (var back = 1; back <= NegationReach && index - back >= 0; back++)
        {
            var previous = tokens[index - back];
            if (previous.Kind == TokenKind.Punctuation) return false;
            if (previous.Kind == TokenKind.Word && Negators.Contains(previous.Text))
            {
                // "not only good" and "no doubt great" affirm rather than negate.
                var next = tokens[index - back + 1];
                return !(next.Text is "only" or "just" or "doubt");
            }
        }
        return false;
    }

    private static float IntensityBefore(List<Token> tokens, int index)
    {
        var total = 0f;
        for (var back = 1; back <= 3 && index - back >= 0; back++)
        {
            var previous = tokens[index - back];
            if (previous.Kind != TokenKind.Word) break;
            if (Intensifiers.TryGetValue(previous.Text, out var boost))
                total += boost * (1f - 0.05f * (back - 1)) + (previous.AllCaps ? MathF.Sign(boost) * 0.1f : 0f);
        }
        return total;
    }

    private static int FindBut(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i].Kind == TokenKind.Word && tokens[i].Text.Length is 3 or 6 or 7 or 8 && tokens[i].Text is "but" or "however" or "although" or "though")
                return i;
        return -1;
    }

    /// <summary>When the whole post is in capitals, capitals stop being emphasis.</summary>
    private static bool IsShoutingPost(List<Token> tokens)
    {
        int words = 0, caps = 0;
        foreach (var token in tokens)
        {
            if (token.Kind != TokenKind.Word || token.Text.Length < 2) continue;
            words++;
            if (token.AllCaps) caps++;
        }
        return words > 0 && caps == words;
    }
}
