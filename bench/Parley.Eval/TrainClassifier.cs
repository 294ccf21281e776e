using Parley.Triage;

namespace Parley.Eval;

/// <summary>`train-intent` and `train-abuse`: linear models on the same features as the sentiment model
/// (one feature extraction per post serves all three at run time).</summary>
internal static class TrainClassifier
{
    public static int Intent(Args args)
    {
        var data = RepoPaths.Data;
        var training = Datasets.Bitext(Path.Combine(data, "bitext"), "train");
        var labels = training.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        return TrainAndSave(args, labels, training, TriageModels.IntentFile,
            ("Bitext held-out 20%", Datasets.Bitext(Path.Combine(data, "bitext"), "test")));
    }

    public static int Abuse(Args args)
    {
        var data = RepoPaths.Data;
        var sources = args.Get("sources", "offensive");
        var training = new List<Labelled>();
        foreach (var source in sources.Split(','))
            training.AddRange(Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", source), "train", ["ok", "offensive"])
                .Select(t => t with { Weight = args.Get($"weight-{source}", 1f) }));
        return TrainAndSave(args, ["ok", "offensive"], training, TriageModels.AbuseFile,
            ("TweetEval offensive validation", Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", "offensive"), "val", ["ok", "offensive"])),
            ("TweetEval hate validation", Datasets.TweetEval(Path.Combine(data, "tweeteval", "datasets", "hate"), "val", ["ok", "offensive"])));
    }

    private static int TrainAndSave(Args args, string[] labels, List<Labelled> training, string file, params (string Name, List<Labelled> Data)[] checks)
    {
        var sentiment = LinearModel.Load(Path.Combine(RepoPaths.SourceModels, TriageModels.SentimentFile));
        var lexicon = TriageModels.LoadLexicon(RepoPaths.SourceModels);
        var options = new TrainOptions(args.Get("epochs", 5), args.Get("lr", 0.1f), args.Get("l2", 1e-6f));
        Console.WriteLine($"training on {training.Count} texts, {labels.Length} labels, the sentiment model's features folded to {args.Get("bits", 16)} bits");
        // A smaller table than sentiment's: these models have fewer distinct n-grams to keep apart, and a smaller
        // table stays in the processor's cache (PostTriage folds the sentiment features into it).
        var settings = sentiment.Settings with { HashBits = Math.Min(args.Get("bits", 16), sentiment.Settings.HashBits) };
        var model = LinearTrainer.Train(labels, settings, lexicon, training, options);
        foreach (var (name, data) in checks)
        {
            var matrix = Evaluate(model, lexicon, data);
            Console.WriteLine($"{name}: accuracy {matrix.Accuracy:0.0000}, macro recall {matrix.MacroRecall:0.0000}, macro F1 {matrix.MacroF1:0.0000}");
        }
        var output = args.Get("out", Path.Combine(RepoPaths.SourceModels, file));
        if (!args.Has("dry-run"))
        {
            model.Save(output);
            Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1024} KiB)");
        }
        return 0;
    }

    public static ConfusionMatrix Evaluate(LinearModel model, SentimentLexicon lexicon, IReadOnlyList<Labelled> data)
    {
        var matrix = new ConfusionMatrix(model.Labels);
        var buffer = new FeatureBuffer();
        Span<float> scores = stackalloc float[model.Labels.Length];
        foreach (var d in data)
        {
            TextFeatures.Extract(d.Text, model.Settings, lexicon, buffer);
            model.Scores(buffer, scores);
            matrix.Add(d.Label, model.Labels[LinearModel.ArgMax(scores)]);
        }
        return matrix;
    }
}
