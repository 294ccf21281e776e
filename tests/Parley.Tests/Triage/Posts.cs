using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>Builds inputs for the triage tests: one public X post at a fixed moment.</summary>
internal static class Posts
{
    public static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 30, 0, TimeSpan.Zero);

    public static TriageInput Public(string text) => new(text, PostVisibility.Public, "x", Now);

    public static TriageResult Analyze(string text, TriageRules? rules = null) => PostTriage.Analyze(Public(text), rules ?? TriageRules.Default);

    public static TriageResult Analyze(TriageInput input, TriageRules? rules = null) => PostTriage.Analyze(input, rules ?? TriageRules.Default);

    public static SentimentResult Sentiment(string text) => TriageModels.Default.Sentiment.Analyze(text);

    public static LexiconSignals Lexicon(string text) => TriageModels.Default.Lexicon.Score(SocialTokenizer.Tokenize(text));
}
