using System.Runtime.CompilerServices;

namespace Parley.Triage;

/// <summary>A topic found in a post, with the keyword or example that matched.</summary>
public sealed record TopicMatch(string Topic, string Evidence, int PriorityBoost);

/// <summary>A brand's <see cref="TriageRules"/> turned into matchers once, and cached per rules instance,
/// so that a brand's edit takes effect on the next post without any per-post preparation.</summary>
public sealed class CompiledRules
{
    private static readonly ConditionalWeakTable<TriageRules, CompiledRules> Cache = [];

    /// <summary>Words too common to say what a topic example is about.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "you", "your", "with", "this", "that", "was", "are", "have", "has", "not", "but", "can", "its",
        "it's", "i'm", "my", "me", "our", "from", "just", "been", "what", "when", "how", "why", "will", "would", "could", "there",
    };

    private readonly TopicRule[] _topics;
    private readonly HashSet<string>[][] _examples;

    private CompiledRules(TriageRules rules)
    {
        _topics = [.. rules.Topics];
        Topics = new PhraseMatcher<int>();
        for (var i = 0; i < _topics.Length; i++) Topics.Add(i, 1f, [.. _topics[i].Keywords]);
        _examples = _topics.Select(t => (t.Examples ?? []).Select(ContentWords).Where(w => w.Count >= 2).ToArray()).ToArray();
        Blocked = new PhraseMatcher<int>().Add(0, 1f, [.. rules.Removal.BlockedTerms]);
        Spam = new PhraseMatcher<int>().Add(0, 1f, [.. rules.Removal.SpamTerms]);
    }

    public PhraseMatcher<int> Topics { get; }
    public PhraseMatcher<int> Blocked { get; }
    public PhraseMatcher<int> Spam { get; }

    public static CompiledRules For(TriageRules rules) => Cache.GetValue(rules, r => new CompiledRules(r));

    public IReadOnlyList<TopicMatch> FindTopics(List<Token> tokens)
    {
        if (_topics.Length == 0) return [];
        var found = new List<TopicMatch>();
        foreach (var hit in Topics.Matches(tokens))
            if (!found.Exists(f => f.Topic == _topics[hit.Tag].Name))
                found.Add(new TopicMatch(_topics[hit.Tag].Name, $"\"{hit.Phrase}\"", _topics[hit.Tag].PriorityBoost));

        HashSet<string>? words = null;
        for (var i = 0; i < _topics.Length; i++)
        {
            if (_examples[i].Length == 0 || found.Exists(f => f.Topic == _topics[i].Name)) continue;
            words ??= [.. tokens.Where(t => t.Kind == TokenKind.Word).Select(t => t.Text)];
            foreach (var example in _examples[i])
            {
                // Most of an example's content words in the post: the same thing, said a little differently.
                var shared = example.Count(words.Contains);
                if (shared < 2 || shared < 0.7 * example.Count) continue;
                found.Add(new TopicMatch(_topics[i].Name, "like an example", _topics[i].PriorityBoost));
                break;
            }
        }
        return found;
    }

    private static HashSet<string> ContentWords(string example) =>
        [.. SocialTokenizer.Tokenize(example).Where(t => t.Kind == TokenKind.Word && t.Text.Length >= 3 && !StopWords.Contains(t.Text)).Select(t => t.Text)];
}
