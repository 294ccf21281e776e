using Parley.Triage;

namespace Parley.Eval;

/// <summary>`profile`: the cost of each signal on its own, to see where the time per post goes.</summary>
internal static class ProfileEval
{
    public static int Run()
    {
        var data = RepoPaths.Data;
        var models = TriageModels.Default;
        var texts = File.ReadAllLines(Path.Combine(data, "tweeteval", "datasets", "sentiment", "val_text.txt"));
        var buffer = new FeatureBuffer();
        var rules = TriageRules.Default;
        var compiled = CompiledRules.For(rules);
        var sentiment = models.Sentiment.Analyze("fine");
        Console.WriteLine("| step | µs/post |\n|---|---:|");
        void Step(string name, Action<string> action) => Console.WriteLine($"| {name} | {Report.F(1e6 / Report.Throughput(texts, action).CpuPostsPerSecond)} |");
        Step("tokenize", t => SocialTokenizer.Tokenize(t, buffer.Tokens));
        Step("tokenize + features", t => TextFeatures.Extract(t, models.Sentiment.Model.Settings, models.Lexicon, buffer));
        Step("tokenize + sentiment", t => { SocialTokenizer.Tokenize(t, buffer.Tokens); models.Sentiment.Analyze(buffer); });
        var scores = new float[16];
        Step("tokenize + features + intent model", t => { TextFeatures.Extract(t, models.Sentiment.Model.Settings, models.Lexicon, buffer); models.Intent.Model!.Scores(buffer, scores.AsSpan(0, 10)); });
        Step("tokenize + features + intent", t => { TextFeatures.Extract(t, models.Sentiment.Model.Settings, models.Lexicon, buffer); models.Intent.Classify(buffer, sentiment); });
        Step("tokenize + features + moderation", t => { TextFeatures.Extract(t, models.Sentiment.Model.Settings, models.Lexicon, buffer); models.Moderation.Check(Report.Input(t), buffer, rules, compiled); });
        Step("tokenize + features + topics (none)", t => { TextFeatures.Extract(t, models.Sentiment.Model.Settings, models.Lexicon, buffer); compiled.FindTopics(buffer.Tokens); });
        Step("tokenize + urgency", t => { SocialTokenizer.Tokenize(t, buffer.Tokens); UrgencyCues.Find(Report.Input(t), buffer.Tokens, default, models.Lexicon); });
        Step("sensitive data", t => SensitiveData.Find(t));
        Step("all", t => PostTriage.Analyze(Report.Input(t), rules));
        void Bytes(string name, Action<string> action)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var t in texts) action(t);
            Console.WriteLine($"| {name}: bytes allocated per post | {(GC.GetAllocatedBytesForCurrentThread() - before) / texts.Length} |");
        }
        Bytes("tokenize", t => SocialTokenizer.Tokenize(t, buffer.Tokens));
        Bytes("sentiment", t => { SocialTokenizer.Tokenize(t, buffer.Tokens); models.Sentiment.Analyze(buffer); });
        Bytes("intent", t => models.Intent.Classify(buffer, sentiment));
        Bytes("moderation", t => models.Moderation.Check(Report.Input(t), buffer, rules, compiled));
        Bytes("urgency", t => UrgencyCues.Find(Report.Input(t), buffer.Tokens, default, models.Lexicon));
        Bytes("sensitive", t => SensitiveData.Find(t));
        Bytes("all", t => PostTriage.Analyze(Report.Input(t), rules));
        return 0;
    }
}
