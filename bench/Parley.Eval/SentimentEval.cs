using Parley.Triage;

namespace Parley.Eval;

/// <summary>`sentiment`: Parley and VADER side by side on the same texts.</summary>
internal static class SentimentEval
{
    public static int Run(Args args)
    {
        var format = args.Require("format");
        var path = args.Require("path");
        var split = args.Get("split", format == "airline" ? "test" : "val");
        var data = format switch
        {
            "tweeteval" => Datasets.TweetEval(path, split, Datasets.SentimentLabels),
            "airline" => Datasets.Airline(path, split),
            _ => throw new ArgumentException($"Unknown sentiment format '{format}' (tweeteval, airline)."),
        };
        var name = format == "tweeteval" ? $"TweetEval sentiment, {split} split" : $"Airline tweets, {split} portion";
        Evaluate(name, data, format == "tweeteval" && split == "val");
        return 0;
    }

    public static (double Parley, double Vader) Evaluate(string name, List<Labelled> data, bool seenInTraining)
    {
        var models = TriageModels.Default;
        var parley = new ConfusionMatrix(Datasets.SentimentLabels);
        var buffer = new FeatureBuffer();
        foreach (var d in data)
        {
            SocialTokenizer.Tokenize(d.Text, buffer.Tokens);
            parley.Add(d.Label, Datasets.SentimentLabels[(int)models.Sentiment.Analyze(buffer).Label]);
        }
        var texts = data.Select(d => d.Text).ToList();
        // Parley's figures are printed even where node or the VADER package is missing.
        VaderRun? vaderRun = null;
        try { vaderRun = VaderRun.Score(texts); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"VADER skipped: {e.Message}"); }
        var vader = new ConfusionMatrix(Datasets.SentimentLabels);
        for (var i = 0; vaderRun is not null && i < data.Count; i++) vader.Add(data[i].Label, VaderRun.Label(vaderRun.Compound[i]));

        Report.Heading($"Sentiment: {name}");
        if (seenInTraining)
            Console.WriteLine("Parley's shipped model learned from this split (ADR 7), so its figure here is a training-set score; " +
                "its held-out estimate is the 5-fold out-of-fold figure printed by `train-sentiment`.\n");
        Report.MetricsHeader("macro recall");
        Report.Metrics("Parley", parley, "macro recall");
        if (vaderRun is not null) Report.Metrics("VADER (npm vader-sentiment 1.1.3)", vader, "macro recall");
        Report.Matrix("Parley", parley);
        if (vaderRun is null) return (parley.MacroRecall, double.NaN);
        Report.Matrix("VADER", vader);

        var sentimentOnly = Report.Throughput(texts, t =>
        {
            SocialTokenizer.Tokenize(t, buffer.Tokens);
            models.Sentiment.Analyze(buffer);
        });
        var everything = Report.Throughput(texts, t => PostTriage.Analyze(Report.Input(t), TriageRules.Default));
        Console.WriteLine($"\nThroughput on these texts, one core, best of five rounds (load average {Report.Load()}):\n");
        Report.SpeedHeader();
        Report.SpeedRow("VADER, sentiment only (timed inside node)", vaderRun.Speed, vaderRun.Speed);
        Report.SpeedRow("Parley, sentiment only", sentimentOnly, vaderRun.Speed);
        Report.SpeedRow("Parley, all signals (`PostTriage.Analyze`)", everything, vaderRun.Speed);
        return (parley.MacroRecall, vader.MacroRecall);
    }
}
