namespace Parley.Triage;

/// <summary>Triage of one inbound post: every signal from one tokenisation, as a pure function of the
/// input, the brand's rules and the shipped models. No I/O, no clock of its own, safe on any thread.</summary>
public static class PostTriage
{
    [ThreadStatic] private static FeatureBuffer? _buffer;

    /// <summary>Analyzes a post with the models shipped with Parley.</summary>
    public static TriageResult Analyze(TriageInput input, TriageRules rules) => Analyze(input, rules, TriageModels.Default);

    public static TriageResult Analyze(TriageInput input, TriageRules rules, TriageModels models) => Analyze(input, rules, models, whole: true, moderation: true);

    /// <summary>What a conversation's read of several messages joined needs (<see cref="ConversationTriage.Assess"/>):
    /// no sensitive data and no masked text (those are taken message by message), and moderation only when
    /// asked. Every signal it does return is exactly what <see cref="Analyze(TriageInput, TriageRules)"/> returns.</summary>
    internal static TriageResult AnalyzeRead(TriageInput input, TriageRules rules, bool moderation) =>
        Analyze(input, rules, TriageModels.Default, whole: false, moderation);

    private static TriageResult Analyze(TriageInput input, TriageRules rules, TriageModels models, bool whole, bool moderation)
    {
        var buffer = _buffer ??= new FeatureBuffer();
        SocialTokenizer.Tokenize(input.Text, buffer.Tokens);
        var sentiment = models.Sentiment.Analyze(buffer);
        // The intent and abuse models read the same features as sentiment (TriageModels checks it at load),
        // so the features extracted once serve all three.
        var intent = models.Intent.Classify(buffer, sentiment);
        var compiled = CompiledRules.For(rules);
        var moderated = moderation ? models.Moderation.Check(input, buffer, rules, compiled) : ModerationResult.Clean;
        var topics = compiled.FindTopics(buffer.Tokens);
        var urgency = UrgencyCues.Find(input, buffer.Tokens, buffer.Lexicon, models.Lexicon);
        if (!whole) return new TriageResult(sentiment, intent, topics, urgency, SensitiveDataResult.None, moderated);
        var sensitive = SensitiveData.Find(input.Text);
        return new TriageResult(sentiment, intent, topics, urgency, sensitive, moderated)
        {
            SuggestPrivateChannel = input.Visibility == PostVisibility.Public && PrivateKinds(sensitive),
            MaskedText = SensitiveData.Mask(input.Text, sensitive),
        };
    }

    private static bool PrivateKinds(SensitiveDataResult sensitive)
    {
        foreach (var m in sensitive.Matches)
            if (m.Kind is SensitiveKind.CardNumber or SensitiveKind.Iban or SensitiveKind.OrderNumber or SensitiveKind.Phone or SensitiveKind.Email)
                return true;
        return false;
    }
}
