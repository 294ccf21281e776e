namespace Parley.Eval;

/// <summary>`all`: every evaluation on the datasets in shared/data.</summary>
internal static class All
{
    public static int Run(Args args)
    {
        var data = RepoPaths.Data;
        var tweeteval = Path.Combine(data, "tweeteval", "datasets");
        var split = args.Get("split", "val");
        Console.WriteLine($"# Parley triage evaluation ({DateTime.UtcNow:yyyy-MM-dd})");
        SentimentEval.Evaluate($"TweetEval sentiment, {split} split", Datasets.TweetEval(Path.Combine(tweeteval, "sentiment"), split, Datasets.SentimentLabels), split == "val");
        SentimentEval.Evaluate("Airline tweets, test portion (20% by tweet id)", Datasets.Airline(Path.Combine(data, "twitter-us-airline-sentiment", "Tweets.csv"), "test"), false);
        ClassifierEval.Abuse(new Args(["abuse", "--path", Path.Combine(tweeteval, "offensive")]));
        ClassifierEval.Abuse(new Args(["abuse", "--path", Path.Combine(tweeteval, "hate")]));
        ClassifierEval.IntentBitext(Path.Combine(data, "bitext"));
        EricssonEval.Run(Path.Combine(data, "twcs", "ericsson-labeled"));
        UrgencyEval.Run(new Args(["urgency", "--path", Path.Combine(data, "twcs", "priority_weaklabel_test_set_6000.csv")]));
        SensitiveEval.Run(new Args(["sensitive"]));
        SpeedEval.Run();
        return 0;
    }
}
