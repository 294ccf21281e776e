using Parley.Triage;

namespace Parley.Eval;

/// <summary>Self-training: the model labels unlabelled general-domain tweets (the texts of other TweetEval
/// training splits), the confident ones join the training data at a low weight, and the model is trained
/// again. It widens the vocabulary beyond the few thousand labelled tweets Parley may train on.</summary>
internal sealed class SelfTraining(IReadOnlyList<string> pool, float threshold, float weight, int perClass)
{
    public LinearModel Retrain(LinearModel first, FeatureSettings settings, TrainOptions options, SentimentLexicon lexicon, IReadOnlyList<Labelled> training)
    {
        var analyzer = new SentimentAnalyzer(first, lexicon);
        var pseudo = new List<Labelled>();
        var scored = pool.Select(t => (Text: t, Result: analyzer.Analyze(t))).ToList();
        if (perClass > 0)
        {
            // The same number of the most confident texts for each class keeps neutral, which the model is
            // rarely sure of, from vanishing from the pseudo-labels.
            foreach (var group in scored.GroupBy(s => s.Result.Label))
                pseudo.AddRange(group.OrderByDescending(s => s.Result.Confidence).Take(perClass)
                    .Select(s => new Labelled(s.Text, Datasets.SentimentLabels[(int)s.Result.Label], weight)));
        }
        else
        {
            pseudo.AddRange(scored.Where(s => s.Result.Confidence >= threshold)
                .Select(s => new Labelled(s.Text, Datasets.SentimentLabels[(int)s.Result.Label], weight)));
        }
        Console.WriteLine($"  self-training adds {pseudo.Count} of {pool.Count}: " +
            string.Join(", ", pseudo.GroupBy(p => p.Label).Select(g => $"{g.Key} {g.Count()}")));
        return LinearTrainer.Train(first.Labels, settings, lexicon, [.. training, .. pseudo], options);
    }
}
