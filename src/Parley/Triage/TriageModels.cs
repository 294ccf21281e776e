namespace Parley.Triage;

/// <summary>The shipped models and lexicons, loaded once (a few megabytes, well under a second) and
/// shared by every thread: after loading, nothing here is written again.</summary>
public sealed class TriageModels
{
    public const string SentimentFile = "sentiment.model";
    public const string AbuseFile = "abuse.model";
    public const string IntentFile = "intent.model";
    public const string VaderLexiconFile = "vader_lexicon.tsv";
    public const string EmojiFile = "emoji_polarity.tsv";

    private static readonly Lazy<TriageModels> Shipped = new(() => Load(DefaultFolder));

    /// <summary>Triage/Models beside the application, where the build copies them.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "Triage", "Models");

    /// <summary>The models shipped with Parley, loaded on first use.</summary>
    public static TriageModels Default => Shipped.Value;

    public TriageModels(SentimentLexicon lexicon, SentimentAnalyzer sentiment, LinearModel? intent, LinearModel? abuse)
    {
        // One feature extraction serves all three models, so they must read the same features (in a table
        // no larger than the sentiment model's).
        foreach (var model in new[] { intent, abuse })
            if (model is not null && (model.Settings with { HashBits = sentiment.Model.Settings.HashBits } != sentiment.Model.Settings
                || model.Settings.HashBits > sentiment.Model.Settings.HashBits))
                throw new InvalidDataException($"The {string.Join('/', model.Labels)} model was trained on other features than the sentiment model; retrain it with Parley.Eval.");
        Lexicon = lexicon;
        Sentiment = sentiment;
        Intent = new IntentClassifier(intent);
        Moderation = new Moderation(abuse);
    }

    public SentimentLexicon Lexicon { get; }
    public SentimentAnalyzer Sentiment { get; }
    public IntentClassifier Intent { get; }
    public Moderation Moderation { get; }

    public static SentimentLexicon LoadLexicon(string folder) => new(
        SentimentLexicon.ReadValences(Path.Combine(folder, VaderLexiconFile)),
        SentimentLexicon.ReadValences(Path.Combine(folder, EmojiFile)));

    /// <summary>Loads every model in <paramref name="folder"/>. The sentiment model and the lexicons are
    /// required; without an intent or abuse model those signals fall back to their rules alone.</summary>
    public static TriageModels Load(string folder)
    {
        var lexicon = LoadLexicon(folder);
        return new TriageModels(lexicon,
            new SentimentAnalyzer(LinearModel.Load(Path.Combine(folder, SentimentFile)), lexicon),
            LoadOptional(Path.Combine(folder, IntentFile)),
            LoadOptional(Path.Combine(folder, AbuseFile)));
    }

    private static LinearModel? LoadOptional(string path) => File.Exists(path) ? LinearModel.Load(path) : null;
}
