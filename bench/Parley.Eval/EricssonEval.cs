using System.Globalization;
using Parley.Triage;

namespace Parley.Eval;

/// <summary>`intent --format ericsson`: the hand-labelled TWCS topics (AmazonHelp, AppleSupport, SpotifyCares,
/// 200 inbound tweets each, several topics per tweet). Topics are found by brand-defined keyword rules, the
/// way a brand would set them up in Parley (written from the topic names, not fitted to these labels);
/// topics that are Parley intents are also scored by the intent classifier.</summary>
internal static class EricssonEval
{
    private static readonly Dictionary<string, Intent> IntentTopics = new(StringComparer.Ordinal)
    {
        ["Delivery"] = Intent.Delivery, ["Bad Support"] = Intent.Complaint, ["Service Praise"] = Intent.Praise,
        ["Order Cancellation"] = Intent.Cancellation, ["Refund"] = Intent.Refund, ["Account"] = Intent.AccountAccess,
        ["Billing/Payment"] = Intent.Billing, ["Unresponsive/Freezing Device"] = Intent.Outage,
    };

    public static int Run(string folder)
    {
        Report.Heading("Topics and intents: hand-labelled TWCS (ericsson-labeled), inbound");
        Console.WriteLine("Per topic: precision, recall and F1 of Parley's keyword topic rules, and of the intent classifier where the topic is a Parley intent " +
            "(`IntentResult.Has(intent)`); \"paper F1\" is the authors' NLI result with a threshold tuned on these same labels " +
            "(topics-activities files), for comparison only.\n");
        Console.WriteLine("| brand | topic | texts with topic | rules P | rules R | rules F1 | intent F1 | paper F1 |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var ruleF1 = new List<double>();
        var intentF1 = new List<double>();
        var paired = new List<(double Rules, double Paper)>();
        foreach (var brand in BrandTopics.Brands)
        {
            var file = Path.Combine(folder, $"labeled__twcs-{brand}-200-inbound.csv");
            var rows = CsvFile.Read(file);
            var paper = PaperF1(Path.Combine(folder, $"topics-activities__twcs-{brand}-inbound-topics.csv"));
            var rules = BrandTopics.For(brand);
            var results = rows.Select(r => PostTriage.Analyze(Report.Input(r["text"]), rules)).ToList();
            foreach (var topic in rules.Topics.Select(t => t.Name))
            {
                if (!rows[0].ContainsKey(topic)) continue;
                var gold = rows.Select(r => r[topic].Trim() is "1" or "1.0").ToList();
                var byRules = Score(gold, results.Select(x => x.Topics.Any(t => t.Topic == topic)).ToList());
                ruleF1.Add(byRules.F1);
                var intentCell = "";
                if (IntentTopics.TryGetValue(topic, out var intent))
                {
                    var byIntent = Score(gold, results.Select(x => x.Intent.Has(intent, 0.5f)).ToList());
                    intentF1.Add(byIntent.F1);
                    intentCell = Report.F(byIntent.F1);
                }
                var paperCell = "";
                if (paper.TryGetValue(topic, out var p))
                {
                    paperCell = Report.F(p);
                    paired.Add((byRules.F1, p));
                }
                Console.WriteLine($"| {brand} | {topic} | {gold.Count(g => g)} | {Report.F(byRules.Precision)} | {Report.F(byRules.Recall)} | {Report.F(byRules.F1)} | {intentCell} | {paperCell} |");
            }
        }
        Console.WriteLine($"\nMacro F1 over topics: keyword rules {Report.F(ruleF1.Average())} ({ruleF1.Count} topics); " +
            $"intent classifier {Report.F(intentF1.Average())} ({intentF1.Count} topics that are intents). " +
            $"On the {paired.Count} topics the paper reports: keyword rules {Report.F(paired.Average(x => x.Rules))}, paper {Report.F(paired.Average(x => x.Paper))}.");
        return 0;
    }

    private static (double Precision, double Recall, double F1) Score(List<bool> gold, List<bool> predicted)
    {
        var tp = gold.Zip(predicted).Count(x => x.First && x.Second);
        var fp = gold.Zip(predicted).Count(x => !x.First && x.Second);
        var fn = gold.Zip(predicted).Count(x => x.First && !x.Second);
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }

    private static Dictionary<string, double> PaperF1(string path) =>
        File.Exists(path)
            ? CsvFile.Read(path).ToDictionary(r => r["Topic"], r => double.Parse(r["F1"], CultureInfo.InvariantCulture))
            : [];
}
