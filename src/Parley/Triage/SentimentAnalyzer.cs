namespace Parley.Triage;

public enum SentimentLabel { Negative, Neutral, Positive }

/// <summary>Sentiment of one post. <see cref="Score"/> runs from -1 (surely negative) to +1 (surely
/// positive): the positive probability minus the negative one. <see cref="Lexicon"/> keeps the
/// rule-based reading so a person can see which words drove it.</summary>
public sealed record SentimentResult(SentimentLabel Label, float Score, float Confidence, float LexiconCompound);

/// <summary>The trained linear model over n-grams and lexicon features. The model's labels are
/// "negative", "neutral", "positive" in that order; the loader checks it.</summary>
public sealed class SentimentAnalyzer
{
    private readonly LinearModel _model;
    private readonly SentimentLexicon _lexicon;

    public SentimentAnalyzer(LinearModel model, SentimentLexicon lexicon)
    {
        if (!model.Labels.SequenceEqual(["negative", "neutral", "positive"]))
            throw new InvalidDataException("A sentiment model must have the labels negative, neutral, positive.");
        _model = model;
        _lexicon = lexicon;
    }

    public LinearModel Model => _model;

    /// <summary>Analyzes the tokens already in <paramref name="buffer"/> (tokenised once for all signals).</summary>
    public SentimentResult Analyze(FeatureBuffer buffer)
    {
        TextFeatures.Extract(_model.Settings, _lexicon, buffer);
        Span<float> p = stackalloc float[3];
        _model.Scores(buffer, p);
        LinearModel.Softmax(p);
        var best = LinearModel.ArgMax(p);
        return new SentimentResult((SentimentLabel)best, p[2] - p[0], p[best], buffer.Lexicon.Compound);
    }

    public SentimentResult Analyze(string text)
    {
        var buffer = new FeatureBuffer();
        SocialTokenizer.Tokenize(text, buffer.Tokens);
        return Analyze(buffer);
    }
}
