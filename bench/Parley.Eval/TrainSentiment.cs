using System.Globalization;
using Parley.Triage;

namespace Parley.Eval;

/// <summary>`train-sentiment`: trains Parley's sentiment model on data it may use and tunes it on
/// TweetEval's sentiment validation split (never on a test split).</summary>
internal static class TrainSentiment
{
    public static int Run(Args args)
    {
        var data = RepoPaths.Data;
        var settings = new FeatureSettings(args.Get("bits", 18), !args.Has("no-bigrams"), args.Get("char-min", 3), args.Get("char-max", 0), true);
        var options = new TrainOptions(args.Get("epochs", 6), args.Get("lr", 0.1f), args.Get("l2", 1e-6f), Seeds: args.Get("seeds", 1));
        var lexicon = TriageModels.LoadLexicon(RepoPaths.SourceModels);
        var training = Sources(args.Get("sources", "airline,emotion"), data, args);
        var validation = Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", "sentiment"), "val", Datasets.SentimentLabels);
        if (args.Get("self-train") is { } pool)
            SelfTraining = new SelfTraining(Datasets.UnlabelledPool(data, pool), args.Get("self-threshold", 0.8f), args.Get("self-weight", 0.3f), args.Get("self-per-class", 0));
        Console.WriteLine($"training on {training.Count} texts; tuning on {validation.Count} TweetEval validation texts");
        foreach (var group in training.GroupBy(t => t.Label)) Console.WriteLine($"  {group.Key}: {group.Count()}");

        // With --cv-val K the validation split also teaches the model: K models each learn from all folds but one
        // and predict that one, which gives an honest validation score and the class offsets; the shipped model
        // then learns from every fold and keeps those offsets.
        var folds = args.Get("cv-val", 0);
        var valWeight = args.Get("weight-val", 1f);
        (float Negative, float Positive, double MacroRecall) offsets;
        LinearModel model;
        if (folds > 1)
        {
            offsets = CrossValidate(settings, options, lexicon, training, validation, folds, valWeight);
            model = TrainOnce(settings, options, lexicon, [.. training, .. validation.Select(v => v with { Weight = valWeight })]);
        }
        else
        {
            model = TrainOnce(settings, options, lexicon, training);
            offsets = TuneOffsets(model, lexicon, validation);
            Console.WriteLine($"validation macro recall {offsets.MacroRecall:0.0000} with offsets {offsets.Negative:+0.00;-0.00}/{offsets.Positive:+0.00;-0.00}");
        }
        model.Bias[0] += offsets.Negative;
        model.Bias[2] += offsets.Positive;
        var final = Evaluate(model, lexicon, validation);
        Console.WriteLine($"shipped model on validation{(folds > 1 ? " (seen in training: not a held-out score)" : "")}: " +
            $"macro recall {final.MacroRecall:0.0000}, accuracy {final.Accuracy:0.0000}, macro F1 {final.MacroF1:0.0000}");
        Console.Write(final.ToMarkdown());

        var output = args.Get("out", Path.Combine(RepoPaths.SourceModels, TriageModels.SentimentFile));
        if (!args.Has("dry-run"))
        {
            model.Save(output);
            Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1024} KiB)");
        }
        return 0;
    }

    private static LinearModel TrainOnce(FeatureSettings settings, TrainOptions options, SentimentLexicon lexicon, List<Labelled> training)
    {
        var model = LinearTrainer.Train([.. Datasets.SentimentLabels], settings, lexicon, training, options);
        return SelfTraining is { } self ? self.Retrain(model, settings, options, lexicon, training) : model;
    }

    /// <summary>Trains on the sources plus all validation folds but one, predicts that fold, and reports
    /// the out-of-fold result: an honest validation score for a model that also learns from validation.</summary>
    private static (float Negative, float Positive, double MacroRecall) CrossValidate(FeatureSettings settings, TrainOptions options, SentimentLexicon lexicon,
        List<Labelled> training, List<Labelled> validation, int folds, float weight)
    {
        var logits = new List<(float[] Scores, int Gold)>();
        for (var fold = 0; fold < folds; fold++)
        {
            var inFold = validation.Where((_, i) => i % folds == fold).ToList();
            var rest = validation.Where((_, i) => i % folds != fold).Select(v => v with { Weight = weight });
            var model = TrainOnce(settings, options, lexicon, [.. training, .. rest]);
            logits.AddRange(Logits(model, lexicon, inFold));
        }
        var plain = MacroRecall(logits, 0, 0);
        var best = TuneOffsets(logits);
        Console.WriteLine($"{folds}-fold out-of-fold validation macro recall {plain:0.0000}; with offsets {best.Negative:+0.00;-0.00}/{best.Positive:+0.00;-0.00}: {best.MacroRecall:0.0000}");
        var matrix = new ConfusionMatrix(Datasets.SentimentLabels);
        foreach (var (scores, gold) in logits)
        {
            var a = scores[0] + best.Negative; var b = scores[1]; var c = scores[2] + best.Positive;
            matrix.Add(Datasets.SentimentLabels[gold], Datasets.SentimentLabels[a >= b && a >= c ? 0 : c > b ? 2 : 1]);
        }
        Console.WriteLine($"out-of-fold, with offsets: macro recall {matrix.MacroRecall:0.0000}, accuracy {matrix.Accuracy:0.0000}, macro F1 {matrix.MacroF1:0.0000}");
        Console.Write(matrix.ToMarkdown());
        return best;
    }

    internal static SelfTraining? SelfTraining { get; set; }

    public static List<Labelled> Sources(string names, string data, Args args)
    {
        var result = new List<Labelled>();
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var weight = args.Get($"weight-{name}", 1f);
            IEnumerable<Labelled> source = name switch
            {
                "airline" => Datasets.Airline(Path.Combine(data, "twitter-us-airline-sentiment", "Tweets.csv"), "train"),
                "emotion" => Datasets.EmotionAsSentiment(Path.Combine(data, "tweeteval", "datasets", "emotion"), "train"),
                "emoji" => Datasets.EmojiAsSentiment(Path.Combine(data, "tweeteval", "datasets", "emoji")),
                "offensive" => Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", "offensive"), "train", ["neutral", "negative"])
                    .Where(o => o.Label == "negative"),
                "hate" => Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", "hate"), "train", ["neutral", "negative"])
                    .Where(o => o.Label == "negative"),
                _ => throw new ArgumentException($"Unknown training source '{name}'."),
            };
            result.AddRange(source.Select(s => s with { Weight = weight }));
        }
        return result;
    }

    public static ConfusionMatrix Evaluate(LinearModel model, SentimentLexicon lexicon, IReadOnlyList<Labelled> data)
    {
        var analyzer = new SentimentAnalyzer(model, lexicon);
        var matrix = new ConfusionMatrix(Datasets.SentimentLabels);
        foreach (var d in data) matrix.Add(d.Label, Datasets.SentimentLabels[(int)analyzer.Analyze(d.Text).Label]);
        return matrix;
    }

    private static List<(float[] Scores, int Gold)> Logits(LinearModel model, SentimentLexicon lexicon, IReadOnlyList<Labelled> data)
    {
        var buffer = new FeatureBuffer();
        return data.Select(d =>
        {
            TextFeatures.Extract(d.Text, model.Settings, lexicon, buffer);
            var s = new float[3];
            model.Scores(buffer, s);
            return (Scores: s, Gold: Array.IndexOf(Datasets.SentimentLabels, d.Label));
        }).ToList();
    }

    private static (float Negative, float Positive, double MacroRecall) TuneOffsets(LinearModel model, SentimentLexicon lexicon, IReadOnlyList<Labelled> data) =>
        TuneOffsets(Logits(model, lexicon, data));

    private static (float Negative, float Positive, double MacroRecall) TuneOffsets(List<(float[] Scores, int Gold)> logits)
    {
        var best = (0f, 0f, MacroRecall(logits, 0, 0));
        // Integer steps avoid float drift in the grid; ties keep the smaller offsets found first from zero.
        for (var ni = -30; ni <= 30; ni++)
        {
            for (var pi = -30; pi <= 30; pi++)
            {
                var recall = MacroRecall(logits, ni * 0.05f, pi * 0.05f);
                if (recall > best.Item3 + 1e-9) best = (ni * 0.05f, pi * 0.05f, recall);
            }
        }
        return best;
    }

    private static double MacroRecall(List<(float[] Scores, int Gold)> logits, float negative, float positive)
    {
        var hits = new int[3];
        var totals = new int[3];
        foreach (var (s, gold) in logits)
        {
            var a = s[0] + negative; var b = s[1]; var c = s[2] + positive;
            var predicted = a >= b && a >= c ? 0 : c > b ? 2 : 1;
            totals[gold]++;
            if (predicted == gold) hits[gold]++;
        }
        return Enumerable.Range(0, 3).Average(k => totals[k] == 0 ? 0 : (double)hits[k] / totals[k]);
    }
}
