using Parley.Triage;

namespace Parley.Eval;

/// <summary>`urgency --format twcs-priority`: TWCS tweets with a weak "urgent"/"normal" label (columns: an
/// index, text, priority). The labels are weak (assigned automatically by the dataset's authors), so
/// agreement, not truth, is what this measures.</summary>
internal static class UrgencyEval
{
    private static readonly string[] Labels = ["normal", "urgent"];

    public static int Run(Args args)
    {
        var path = args.Require("path");
        if (args.Get("format", "twcs-priority") != "twcs-priority") throw new ArgumentException("urgency reads --format twcs-priority only.");
        var rows = CsvFile.Read(path);
        var texts = rows.Select(r => r["text"]).ToList();
        var gold = rows.Select(r => r["priority"].Trim()).ToList();
        var results = texts.Select(t => PostTriage.Analyze(Report.Input(t), TriageRules.Default)).ToList();
        var vader = VaderRun.Score(texts);

        Report.Heading("Urgency: TWCS weakly-labelled priority set (6,000 tweets)");
        Console.WriteLine($"{gold.Count(g => g == "urgent")} of {gold.Count} are labelled urgent. Parley says urgent when its urgency level " +
            "(from the cues: safety, stranded, travelling soon, money lost, service down, time pressure, repeated contact, escalating tone, anger) " +
            "reaches the threshold, or, in the priority rows, when the whole priority score does (no customer context in this set). Nothing was " +
            "trained on this set, but the anger cue was added after reading some of its urgent examples (they are mostly angry, shouting posts), " +
            "so for that cue the set is not unseen. The set's authors publish no metric; urgent-class F1 and macro F1 are reported.\n");
        Console.WriteLine("| system | urgent precision | urgent recall | urgent F1 | macro F1 | accuracy |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        ConfusionMatrix? shown = null;
        foreach (var threshold in new[] { 0.3f, 0.5f, 0.7f })
        {
            var m = Matrix(gold, results.Select(r => r.Urgency.Level >= threshold).ToList());
            Row($"Parley urgency level ≥ {threshold:0.0}", m);
            if (threshold == 0.5f) shown = m;
        }
        foreach (var threshold in new[] { 30, 40 })
        {
            var m = Matrix(gold, results.Select(r => Priority.Score(r, new CustomerContext(), PriorityWeights.Default).Value >= threshold).ToList());
            Row($"Parley priority ≥ {threshold}", m);
        }
        Row("VADER compound ≤ −0.5 (reference)", Matrix(gold, vader.Compound.Select(c => c <= -0.5).ToList()));
        Row("always normal", Matrix(gold, gold.Select(_ => false).ToList()));
        Report.Matrix("Parley urgency level ≥ 0.5", shown!);

        Console.WriteLine("\nCues found, per gold label:\n");
        Console.WriteLine("| cue | in urgent | in normal |\n|---|---:|---:|");
        foreach (var cue in Enum.GetValues<UrgencyCue>())
        {
            var inUrgent = results.Where((r, i) => gold[i] == "urgent" && r.Urgency.Has(cue)).Count();
            var inNormal = results.Where((r, i) => gold[i] == "normal" && r.Urgency.Has(cue)).Count();
            Console.WriteLine($"| {cue} | {inUrgent} | {inNormal} |");
        }
        return 0;
    }

    private static ConfusionMatrix Matrix(List<string> gold, List<bool> urgent)
    {
        var m = new ConfusionMatrix(Labels);
        for (var i = 0; i < gold.Count; i++) m.Add(gold[i], urgent[i] ? "urgent" : "normal");
        return m;
    }

    private static void Row(string who, ConfusionMatrix m) =>
        Console.WriteLine($"| {who} | {Report.F(m.Precision(1))} | {Report.F(m.Recall(1))} | {Report.F(m.F1(1))} | {Report.F(m.MacroF1)} | {Report.F(m.Accuracy)} |");
}
