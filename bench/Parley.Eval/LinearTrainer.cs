using Parley.Triage;

namespace Parley.Eval;

internal sealed record TrainOptions(int Epochs = 8, float LearningRate = 0.2f, float L2 = 1e-6f, int Seed = 17, bool BalanceClasses = true, int Seeds = 1);

/// <summary>Trains a <see cref="LinearModel"/> by stochastic gradient descent on the multinomial
/// logistic loss, with AdaGrad step sizes (rare n-grams get larger steps than common ones) and a
/// fixed seed, so the same data and options give the same weights on every machine.</summary>
internal static class LinearTrainer
{
    private sealed record Encoded(int[] Indices, float[] Values, int Label, float Weight);

    /// <summary>Trains <see cref="TrainOptions.Seeds"/> models that see the data in different orders and averages
    /// their weights. For a linear model that is exactly the average of their scores: an ensemble that
    /// costs nothing at run time.</summary>
    public static LinearModel Train(string[] labels, FeatureSettings settings, SentimentLexicon? lexicon,
        IReadOnlyList<Labelled> data, TrainOptions options)
    {
        if (options.Seeds <= 1) return TrainOne(labels, settings, lexicon, data, options);
        var average = new LinearModel(labels, settings);
        for (var k = 0; k < options.Seeds; k++)
        {
            var one = TrainOne(labels, settings, lexicon, data, options with { Seed = options.Seed + k });
            for (var i = 0; i < one.Weights.Length; i++) average.Weights[i] += one.Weights[i] / options.Seeds;
            for (var c = 0; c < labels.Length; c++) average.Bias[c] += one.Bias[c] / options.Seeds;
        }
        return average;
    }

    private static LinearModel TrainOne(string[] labels, FeatureSettings settings, SentimentLexicon? lexicon,
        IReadOnlyList<Labelled> data, TrainOptions options)
    {
        var model = new LinearModel(labels, settings);
        var encoded = Encode(labels, settings, lexicon, data, options.BalanceClasses);
        var classes = labels.Length;
        var squared = new float[model.Weights.Length];
        var biasSquared = new float[classes];
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, encoded.Count).ToArray();
        Span<float> p = stackalloc float[classes];
        var weights = model.Weights;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var k in order)
            {
                var e = encoded[k];
                model.Bias.CopyTo(p);
                for (var i = 0; i < e.Indices.Length; i++)
                {
                    var row = e.Indices[i] * classes;
                    for (var c = 0; c < classes; c++) p[c] += weights[row + c] * e.Values[i];
                }
                LinearModel.Softmax(p);
                for (var c = 0; c < classes; c++)
                {
                    var g = (p[c] - (c == e.Label ? 1f : 0f)) * e.Weight;
                    biasSquared[c] += g * g;
                    model.Bias[c] -= options.LearningRate * g / MathF.Sqrt(biasSquared[c] + 1e-6f);
                    for (var i = 0; i < e.Indices.Length; i++)
                    {
                        var at = e.Indices[i] * classes + c;
                        var gw = g * e.Values[i] + options.L2 * weights[at];
                        squared[at] += gw * gw;
                        weights[at] -= options.LearningRate * gw / MathF.Sqrt(squared[at] + 1e-6f);
                    }
                }
            }
        }
        return model;
    }

    private static List<Encoded> Encode(string[] labels, FeatureSettings settings, SentimentLexicon? lexicon,
        IReadOnlyList<Labelled> data, bool balance)
    {
        var counts = new float[labels.Length];
        foreach (var d in data) counts[Array.IndexOf(labels, d.Label)] += d.Weight;
        var total = counts.Sum();
        var buffer = new FeatureBuffer();
        var result = new List<Encoded>(data.Count);
        foreach (var d in data)
        {
            var label = Array.IndexOf(labels, d.Label);
            if (label < 0) throw new InvalidDataException($"Unknown label '{d.Label}'.");
            TextFeatures.Extract(d.Text, settings, lexicon, buffer);
            // Balancing gives each class the same total weight: the authors' metric (macro recall) counts
            // every class equally, whatever its share of the training data.
            var weight = balance ? d.Weight * total / (labels.Length * counts[label]) : d.Weight;
            result.Add(new Encoded(buffer.Indices.AsSpan(0, buffer.Count).ToArray(), buffer.Values.AsSpan(0, buffer.Count).ToArray(), label, weight));
        }
        return result;
    }
}
