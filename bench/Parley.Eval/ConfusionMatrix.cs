using System.Globalization;
using System.Text;

namespace Parley.Eval;

/// <summary>Counts of (gold, predicted) pairs and the metrics computed from them.</summary>
internal sealed class ConfusionMatrix(IReadOnlyList<string> labels)
{
    private readonly int[,] _counts = new int[labels.Count, labels.Count];

    public IReadOnlyList<string> Labels => labels;
    public int Total { get; private set; }

    public void Add(string gold, string predicted)
    {
        var g = IndexOf(gold);
        var p = IndexOf(predicted);
        _counts[g, p]++;
        Total++;
    }

    private int IndexOf(string label)
    {
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] == label) return i;
        throw new ArgumentException($"Unknown label '{label}'.", nameof(label));
    }

    public int Count(int gold, int predicted) => _counts[gold, predicted];

    public double Recall(int c) => Ratio(_counts[c, c], Row(c));
    public double Precision(int c) => Ratio(_counts[c, c], Column(c));
    public double F1(int c) => Recall(c) + Precision(c) == 0 ? 0 : 2 * Recall(c) * Precision(c) / (Recall(c) + Precision(c));

    /// <summary>Averages over classes present in the gold labels only, as scikit-learn's metrics do.</summary>
    public double MacroRecall => Present().Average(Recall);
    public double MacroF1 => Present().Average(F1);
    public double Accuracy => Ratio(Enumerable.Range(0, labels.Count).Sum(c => _counts[c, c]), Total);

    private IEnumerable<int> Present() => Enumerable.Range(0, labels.Count).Where(c => Row(c) > 0);
    private int Row(int c) => Enumerable.Range(0, labels.Count).Sum(p => _counts[c, p]);
    private int Column(int c) => Enumerable.Range(0, labels.Count).Sum(g => _counts[g, c]);
    private static double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;

    /// <summary>A markdown table: rows are gold labels, columns predictions.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| gold \\ predicted | ").AppendJoin(" | ", labels).Append(" | recall |\n");
        sb.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", labels.Count + 1))).Append('\n');
        for (var g = 0; g < labels.Count; g++)
        {
            sb.Append("| ").Append(labels[g]).Append(" | ");
            sb.AppendJoin(" | ", Enumerable.Range(0, labels.Count).Select(p => _counts[g, p].ToString(CultureInfo.InvariantCulture)));
            sb.Append(" | ").Append(Recall(g).ToString("0.000", CultureInfo.InvariantCulture)).Append(" |\n");
        }
        return sb.ToString();
    }
}
