namespace Parley.Triage;

/// <summary>Triage of one inbound post: every signal from one tokenisation, as a pure function of the
/// input, the brand's rules and the shipped models. No I/O, no clock of its own, safe on any thread.</summary>
public static class PostTriage
{
    [ThreadStatic] private static FeatureBuffer? _buffer;

    /// <summary>Analyzes a post with the models shipped with Parley.</summary>
    public static TriageResult Analyze(TriageInput input, TriageRules rules) => Analyze(input, rules, TriageModels.Default);

    public static TriageResult Analyze(TriageInput input, TriageRules rules, TriageModels models)
    {
        var buffer = _buffer ??= new FeatureBuffer();
        SocialTokenizer.Tokenize(input.Text, buffer.Tokens);
        var sentiment = models.Sentiment.Analyze(buffer);
        // The intent and abuse models read the same features as sentiment (TriageModels checks it at load),
        // so the features extracted once serve all three.
        var intent = models.Intent.Classify(buffer, sentiment);
        var compiled = CompiledRules.For(rules);
        var moderation = models.Moderation.Check(input, buffer, rules, compiled);
        var topics = compiled.FindTopics(buffer.Tokens);
        var urgency = UrgencyCues.Find(input, buffer.Tokens, buffer.Lexicon, models.Lexicon);
        var sensitive = SensitiveData.Find(input.Text);
        return new TriageResult(sentiment, intent, topics, urgency, sensitive, moderation)
        {
            SuggestPrivateChannel = input.Visibility == PostVisibility.Public && sensitive.Matches.Any(m =>
                m.Kind is SensitiveKind.CardNumber or SensitiveKind.Iban or SensitiveKind.OrderNumber or SensitiveKind.Phone or SensitiveKind.Email),
            MaskedText = SensitiveData.Mask(input.Text, sensitive),
        };
    }
}
