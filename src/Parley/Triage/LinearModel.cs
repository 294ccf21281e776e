using System.IO.Compression;

namespace Parley.Triage;

/// <summary>A multinomial logistic regression over hashed features: one weight per feature and
/// class, one bias per class. Small enough to explain, fast enough for every post (a few hundred
/// multiply-adds), and trained by Parley's own evaluation program (<c>bench/Parley.Eval</c>).</summary>
public sealed class LinearModel
{
    private const string Magic = "PARLEY-LINEAR";
    private const int Version = 1;

    public LinearModel(string[] labels, FeatureSettings settings)
    {
        Labels = labels;
        Settings = settings;
        Weights = new float[settings.Dimension * labels.Length];
        Bias = new float[labels.Length];
    }

    public string[] Labels { get; }
    public FeatureSettings Settings { get; }
    /// <summary>Row-major: the weights of feature f are at [f * classes, (f + 1) * classes).</summary>
    public float[] Weights { get; }
    public float[] Bias { get; }

    public int IndexOf(string label) => Array.IndexOf(Labels, label);

    /// <summary>Raw class scores (logits) for the features in <paramref name="features"/>. Features hashed
    /// into a larger table than this model's are folded into it: the hash is masked to its low bits, so
    /// folding gives exactly the features a smaller extraction would have given, and one extraction per
    /// post serves models of different sizes.</summary>
    public void Scores(FeatureBuffer features, Span<float> scores)
    {
        var classes = Labels.Length;
        Bias.CopyTo(scores);
        var weights = Weights;
        var indices = features.Indices;
        var values = features.Values;
        var extracted = 1 << features.HashBits;
        var size = Settings.HashSize;
        if (extracted < size)
            throw new ArgumentException($"Features hashed to {features.HashBits} bits cannot feed a {Settings.HashBits}-bit model.", nameof(features));
        for (var i = 0; i < features.Count; i++)
        {
            var index = indices[i];
            if (extracted != size) index = index < extracted ? index & (size - 1) : index - extracted + size;
            var row = index * classes;
            var value = values[i];
            for (var c = 0; c < classes; c++) scores[c] += weights[row + c] * value;
        }
    }

    /// <summary>Turns logits into probabilities in place.</summary>
    public static void Softmax(Span<float> scores)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = MathF.Max(max, s);
        var sum = 0f;
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] = MathF.Exp(scores[c] - max);
            sum += scores[c];
        }
        for (var c = 0; c < scores.Length; c++) scores[c] /= sum;
    }

    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
            if (scores[c] > scores[best]) best = c;
        return best;
    }

    /// <summary>Writes the model gzip-compressed with half-precision weights: the hashed table is mostly
    /// zeros, and half precision loses nothing a linear text model can measure.</summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.SmallestSize);
        using var writer = new BinaryWriter(zip);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(Labels.Length);
        foreach (var label in Labels) writer.Write(label);
        writer.Write(Settings.HashBits);
        writer.Write(Settings.WordBigrams);
        writer.Write(Settings.CharMin);
        writer.Write(Settings.CharMax);
        writer.Write(Settings.Lexicon);
        foreach (var b in Bias) writer.Write(b);
        writer.Write(Weights.Length);
        foreach (var w in Weights) writer.Write((Half)w);
    }

    public static LinearModel Load(string path)
    {
        using var file = File.OpenRead(path);
        using var zip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new BinaryReader(new BufferedStream(zip, 1 << 16));
        if (reader.ReadString() != Magic || reader.ReadInt32() != Version)
            throw new InvalidDataException($"{path} is not a Parley linear model of version {Version}.");
        var labels = new string[reader.ReadInt32()];
        for (var i = 0; i < labels.Length; i++) labels[i] = reader.ReadString();
        var settings = new FeatureSettings(reader.ReadInt32(), reader.ReadBoolean(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean());
        var model = new LinearModel(labels, settings);
        for (var i = 0; i < labels.Length; i++) model.Bias[i] = reader.ReadSingle();
        var count = reader.ReadInt32();
        if (count != model.Weights.Length)
            throw new InvalidDataException($"{path} holds {count} weights; its settings call for {model.Weights.Length}.");
        for (var i = 0; i < count; i++) model.Weights[i] = (float)reader.ReadHalf();
        return model;
    }
}
