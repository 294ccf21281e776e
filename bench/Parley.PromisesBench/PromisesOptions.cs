using System.Globalization;

namespace Parley.PromisesBench;

public sealed class PromisesOptions
{
    public string Database { get; private set; } = "sqlite";
    public string Postgres { get; private set; } = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
    /// <summary>Open conversations under policies.</summary>
    public int Conversations { get; private set; } = 1_000_000;
    /// <summary>How many warnings come due per second during the sweep runs.</summary>
    public int DuePerSecond { get; private set; } = 1_000;
    /// <summary>Length of each sweep run (the baseline's, then Parley's).</summary>
    public int SweepSeconds { get; private set; } = 60;
    /// <summary>New conversations per second in the assignment runs.</summary>
    public int Rate { get; private set; } = 1_000;
    public int AssignSeconds { get; private set; } = 30;
    public int Agents { get; private set; } = 450;
    /// <summary>How long an agent keeps a conversation before resolving it.</summary>
    public double HandleSeconds { get; private set; } = 2.5;

    public static PromisesOptions Parse(string[] args)
    {
        var o = new PromisesOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--database": o.Database = Next(); break;
                case "--postgres": o.Postgres = Next(); break;
                case "--conversations": o.Conversations = Int(); break;
                case "--due-per-second": o.DuePerSecond = Int(); break;
                case "--sweep-seconds": o.SweepSeconds = Int(); break;
                case "--rate": o.Rate = Int(); break;
                case "--assign-seconds": o.AssignSeconds = Int(); break;
                case "--agents": o.Agents = Int(); break;
                case "--handle-seconds": o.HandleSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}");
            }
        }
        if (o.Database is not ("sqlite" or "postgres")) throw new ArgumentException("--database is sqlite or postgres");
        return o;
    }
}

/// <summary>Nearest-rank percentiles of milliseconds.</summary>
public sealed class Stats(IEnumerable<double> values)
{
    private readonly double[] _sorted = values.Order().ToArray();
    public int Count => _sorted.Length;
    public double P(double percent) => _sorted.Length == 0 ? double.NaN
        : _sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];
    public string Row() => string.Create(CultureInfo.InvariantCulture, $"{P(50):0.0} | {P(99):0.0} | {Max:0.0}");
}
