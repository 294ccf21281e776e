using Parley.Triage;

namespace Parley.Eval;

/// <summary>`speed`: all signals per post on one core, and the models' memory.</summary>
internal static class SpeedEval
{
    public static int Run()
    {
        var data = RepoPaths.Data;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var models = TriageModels.Load(TriageModels.DefaultFolder);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(models);

        var texts = Datasets.TwcsTexts(Path.Combine(data, "twcs", "twcs_first5000_rows_normalized.csv"))
            .Concat(File.ReadAllLines(Path.Combine(data, "tweeteval", "datasets", "sentiment", "val_text.txt"))).ToList();
        var rules = BrandTopics.For("AmazonHelp");
        var history = new[] { new RecentMessage("my order never came", Report.Input("").Now.AddHours(-3)) };
        var plain = Report.Throughput(texts, t => PostTriage.Analyze(Report.Input(t), TriageRules.Default, models));
        var full = Report.Throughput(texts, t => PostTriage.Analyze(Report.Input(t) with { RecentMessages = history }, rules, models));
        var vader = VaderRun.Score(texts);

        Report.Heading("Speed and memory");
        Console.WriteLine($"{texts.Count:N0} texts (TWCS first 5,000 rows and TweetEval sentiment validation), one thread, after a second of warm-up; " +
            "best of five rounds by process CPU time and by the wall clock, VADER timed the same way inside node around its scoring loop only. " +
            $"Machine: {Environment.ProcessorCount} cores shared with other work (load average {Report.Load()}), .NET {Environment.Version}.\n");
        Report.SpeedHeader();
        Report.SpeedRow("VADER sentiment", vader.Speed, vader.Speed);
        Report.SpeedRow("Parley, all signals, default rules", plain, vader.Speed);
        Report.SpeedRow("Parley, all signals, 14 brand topics and a recent message", full, vader.Speed);
        Console.WriteLine($"\nModel memory (GC.GetTotalMemory before and after loading all models and lexicons): {(after - before) / (1024.0 * 1024.0):0.0} MiB.");
        return 0;
    }
}
