using Parley.Triage;

namespace Parley.Eval;

/// <summary>`abuse` and `intent --format bitext`: the signals as <see cref="PostTriage"/> delivers them.</summary>
internal static class ClassifierEval
{
    public static int Abuse(Args args)
    {
        var path = args.Require("path");
        if (args.Get("format", "tweeteval") != "tweeteval") throw new ArgumentException("abuse reads --format tweeteval only.");
        var split = args.Get("split", "val");
        var task = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        var positive = task == "hate" ? "hate" : "offensive";
        var labels = new[] { "not-" + positive, positive };
        var data = Datasets.TweetEval(path, split, labels);
        var parley = new ConfusionMatrix(labels);
        var majority = new ConfusionMatrix(labels);
        foreach (var d in data)
        {
            var result = PostTriage.Analyze(Report.Input(d.Text), TriageRules.Default);
            parley.Add(d.Label, result.Moderation.Abusive ? positive : labels[0]);
            majority.Add(d.Label, labels[0]);
        }
        Report.Heading($"Abuse: TweetEval {task}, {split} split");
        Console.WriteLine($"Parley's `Moderation.Abusive` (abuse model at the default threshold 0.5, insult and threat rules) against the {task} label. " +
            "TweetEval's metric for this task is macro F1. The abuse model never saw this split.\n");
        Report.MetricsHeader("macro F1");
        Report.Metrics("Parley", parley, "macro F1");
        Report.Metrics("always \"not\" (majority class)", majority, "macro F1");
        Report.Matrix("Parley", parley);
        return 0;
    }

    public static int IntentBitext(string folder)
    {
        var data = Datasets.Bitext(folder, "test");
        var labels = Enum.GetNames<Intent>();
        var combined = new ConfusionMatrix(labels);
        var modelOnly = new ConfusionMatrix(labels);
        var models = TriageModels.Default;
        var buffer = new FeatureBuffer();
        Span<float> scores = stackalloc float[models.Intent.Model!.Labels.Length];
        foreach (var d in data)
        {
            var result = PostTriage.Analyze(Report.Input(d.Text), TriageRules.Default);
            combined.Add(d.Label, result.Intent.Primary.ToString());
            TextFeatures.Extract(d.Text, models.Intent.Model.Settings, models.Lexicon, buffer);
            models.Intent.Model.Scores(buffer, scores);
            modelOnly.Add(d.Label, models.Intent.Model.Labels[LinearModel.ArgMax(scores)]);
        }
        Report.Heading("Intent: Bitext customer-service utterances, held-out 20%");
        Console.WriteLine("Bitext's 27 intents mapped to Parley's (ADR 7); split by a hash of the utterance, the model never saw this portion. " +
            "Bitext publishes no metric for this sample; accuracy is the usual one. \"Combined\" is what `PostTriage` returns " +
            "(rules + model + sentiment), which may also say Question, Praise or Outage, intents Bitext does not have.\n");
        Report.MetricsHeader("accuracy");
        Report.Metrics("Parley, intent model alone", modelOnly, "accuracy");
        Report.Metrics("Parley, combined primary intent", combined, "accuracy");
        Report.Matrix("Parley, combined", Trim(combined));
        return 0;
    }

    /// <summary>The matrix without labels that never occur, gold or predicted, to keep it readable.</summary>
    private static ConfusionMatrix Trim(ConfusionMatrix m)
    {
        var used = Enumerable.Range(0, m.Labels.Count)
            .Where(i => Enumerable.Range(0, m.Labels.Count).Any(j => m.Count(i, j) > 0 || m.Count(j, i) > 0)).ToList();
        var trimmed = new ConfusionMatrix(used.Select(i => m.Labels[i]).ToList());
        foreach (var g in used)
            foreach (var p in used)
                for (var k = 0; k < m.Count(g, p); k++) trimmed.Add(m.Labels[g], m.Labels[p]);
        return trimmed;
    }
}
