using System.Collections.Frozen;

namespace Parley.Triage;

/// <summary>A phrase hit: which phrase, what it is evidence for, and how strong.</summary>
public readonly record struct PhraseHit<T>(string Phrase, T Tag, float Weight, int TokenIndex);

/// <summary>Finds word phrases in a post's tokens. Phrases are lower-case words separated by spaces; a
/// word ending in '*' matches any word starting with it ("cancel*" matches "cancelled"). Indexed by
/// first word (and prefix patterns by their first three letters), so a post costs two dictionary
/// look-ups per token however many phrases there are.</summary>
public sealed class PhraseMatcher<T>
{
    private const int PrefixKey = 3;

    private sealed record Phrase(string Text, string[] Words, T Tag, float Weight);

    private readonly Dictionary<string, List<Phrase>> _byFirstWord = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Phrase>> _byPrefixKey = new(StringComparer.Ordinal);
    private readonly List<Phrase> _shortPrefixes = [];

    /// <summary>Adds phrases; call before the first <see cref="Match"/> (the indexes freeze then).</summary>
    public PhraseMatcher<T> Add(T tag, float weight, params string[] phrases)
    {
        if (_frozen is not null) throw new InvalidOperationException("Phrases are added before the first match.");
        foreach (var text in phrases)
        {
            var words = text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            var phrase = new Phrase(text, words, tag, weight);
            if (!words[0].EndsWith('*')) Index(_byFirstWord, words[0], phrase);
            else if (words[0].Length - 1 >= PrefixKey) Index(_byPrefixKey, words[0][..PrefixKey], phrase);
            else _shortPrefixes.Add(phrase);
        }
        return this;
    }

    private static void Index(Dictionary<string, List<Phrase>> index, string key, Phrase phrase)
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(phrase);
    }

    public bool IsEmpty => _byFirstWord.Count == 0 && _byPrefixKey.Count == 0 && _shortPrefixes.Count == 0;

    /// <summary>Frozen copies of the indexes, made on first use: matchers are built once at start-up and then
    /// read for every post, and frozen tables hash faster. A race builds the same copy twice, harmlessly.</summary>
    private Frozen? _frozen;

    private sealed record Frozen(FrozenDictionary<string, List<Phrase>> Words,
        FrozenDictionary<string, List<Phrase>>.AlternateLookup<ReadOnlySpan<char>> Prefixes, bool AnyPrefix);

    /// <summary>Calls <paramref name="onHit"/> for every phrase found, in token order.</summary>
    public void Match(List<Token> tokens, Action<PhraseHit<T>> onHit)
    {
        // A reference, so a thread sees either no copy or a whole one.
        var (byFirstWord, byPrefix, anyPrefix) = _frozen ??= new Frozen(
            _byFirstWord.ToFrozenDictionary(StringComparer.Ordinal),
            _byPrefixKey.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>(),
            _byPrefixKey.Count > 0);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind is not (TokenKind.Word or TokenKind.Number or TokenKind.Emoji or TokenKind.Emoticon)) continue;
            if (byFirstWord.TryGetValue(token.Text, out var candidates))
                foreach (var phrase in candidates)
                    if (MatchesAt(tokens, i, phrase.Words)) onHit(new PhraseHit<T>(phrase.Text, phrase.Tag, phrase.Weight, i));
            if (anyPrefix && token.Text.Length >= PrefixKey && byPrefix.TryGetValue(token.Text.AsSpan(0, PrefixKey), out candidates))
                foreach (var phrase in candidates)
                    if (MatchesAt(tokens, i, phrase.Words)) onHit(new PhraseHit<T>(phrase.Text, phrase.Tag, phrase.Weight, i));
            foreach (var phrase in _shortPrefixes)
                if (MatchesAt(tokens, i, phrase.Words)) onHit(new PhraseHit<T>(phrase.Text, phrase.Tag, phrase.Weight, i));
        }
    }

    /// <summary>All hits as a list (allocates; for tests and rare paths).</summary>
    public List<PhraseHit<T>> Matches(List<Token> tokens)
    {
        var hits = new List<PhraseHit<T>>();
        Match(tokens, hits.Add);
        return hits;
    }

    private static bool MatchesAt(List<Token> tokens, int start, string[] words)
    {
        var t = start;
        foreach (var word in words)
        {
            if (t >= tokens.Count) return false;
            var text = tokens[t].Text;
            var matches = word.EndsWith('*')
                ? text.StartsWith(word.AsSpan(0, word.Length - 1), StringComparison.Ordinal)
                : text == word;
            if (!matches) return false;
            t++;
        }
        return true;
    }
}
