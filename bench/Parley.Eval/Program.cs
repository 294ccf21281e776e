using Parley.Eval;

// The evaluation program of issue 5: Parley's triage signals on labelled public data, next to VADER.
var options = new Args(args);
try
{
    return options.Command switch
    {
        "train-sentiment" => TrainSentiment.Run(options),
        "train-intent" => TrainClassifier.Intent(options),
        "train-abuse" => TrainClassifier.Abuse(options),
        "sentiment" => SentimentEval.Run(options),
        "abuse" => ClassifierEval.Abuse(options),
        "intent" => options.Require("format") switch
        {
            "bitext" => ClassifierEval.IntentBitext(options.Require("path")),
            "ericsson" => EricssonEval.Run(options.Require("path")),
            var f => throw new ArgumentException($"Unknown intent format '{f}' (bitext, ericsson)."),
        },
        "urgency" => UrgencyEval.Run(options),
        "sensitive" => SensitiveEval.Run(options),
        "speed" => SpeedEval.Run(),
        "profile" => ProfileEval.Run(),
        "explain" => ExplainCommand.Run(options),
        "all" => All.Run(options),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.WriteLine("""
        usage: dotnet run -c Release --project bench/Parley.Eval -- <command> [options]

        evaluation (markdown on stdout):
          sentiment --format tweeteval --path <folder> [--split val|test]   folder with <split>_text.txt and <split>_labels.txt
          sentiment --format airline --path <Tweets.csv> [--split test|train|all]
          abuse --format tweeteval --path <offensive or hate folder> [--split val|test]
          intent --format bitext --path <bitext folder>
          intent --format ericsson --path <ericsson-labeled folder>
          urgency --format twcs-priority --path <priority_weaklabel_test_set_6000.csv>
          sensitive [--seed 20260101] [--count 2000]
          speed
          all                      every dataset above from ../shared/data (or $PARLEY_DATA)
          explain --text "..."     every signal and the priority of one post, as JSON

        training (writes src/Parley/Triage/Models/ unless --dry-run or --out <file>):
          train-sentiment [--sources airline,emotion] [--weight-<source> 1] [--cv-val 5] [--weight-val 5]
                          [--self-train emoji,hate,offensive,irony] [--self-threshold 0.8] [--self-weight 0.3]
                          [--epochs 6] [--lr 0.1] [--l2 1e-6] [--bits 18] [--no-bigrams] [--char-min 3 --char-max 0] [--seeds 1]
          train-abuse [--sources offensive,hate] [--bits 16]
          train-intent [--bits 16]
          (the exact commands behind the shipped models: src/Parley/Triage/Models/PROVENANCE.md)
        profile                  the cost of each signal on its own

        VADER runs through node: npm ci --prefix bench/Parley.Eval/vader
        """);
    return 1;
}
