using Parley.Simulator;

namespace Parley.Bench;

/// <summary>Which customer sends each generated tweet. By default customers write as often as TWCS's customers do
/// (<see cref="FromTwcs"/>); <see cref="Uniform"/> spreads every tweet over a fixed number of customers, which with
/// a long run gives each of them a long unanswered history: a stress case, not a care team's day (docs/adr/0039).</summary>
public sealed class CustomerPool
{
    /// <summary>How far ahead a customer's follow-ups land, in deliveries. In TWCS a customer writes again after the
    /// brand's reply (median 12 minutes, data/PROVENANCE.md), which at the benchmark's hundreds to thousands of requests
    /// a second is hundreds of thousands of deliveries later; 5,000 keeps follow-ups inside a run, where they make
    /// triage read the customer's history: harsher than the data, on purpose.</summary>
    public const int FollowUpSpread = 5_000;

    private const int Seed = 20171031; // TWCS's first day, so every run draws the same customers.

    private readonly int? _uniform;
    private readonly int[] _tweetsPerCustomer = [];
    private readonly Random _random = new(Seed);
    private readonly PriorityQueue<long, long> _followUps = new();
    private readonly List<long> _assigned = [];
    private readonly Lock _lock = new();
    private long _customers;

    private CustomerPool(int? uniform, int[] tweetsPerCustomer)
    {
        _uniform = uniform;
        _tweetsPerCustomer = tweetsPerCustomer;
    }

    /// <summary>Every tweet from one of <paramref name="customers"/>, in a fixed stride over them.</summary>
    public static CustomerPool Uniform(int customers) => new(customers, []);

    /// <summary>Customers who each write as many tweets as a customer drawn at random from the TWCS rows in
    /// <paramref name="csvPath"/> did (1.9 on average in the repository's 5,000 rows; half write once, a few a dozen
    /// times or more), their first tweet where the pool needs a new customer and the rest within the next
    /// <see cref="FollowUpSpread"/> deliveries.</summary>
    public static CustomerPool FromTwcs(string csvPath)
    {
        var counts = TwcsDataset.ReadRows(csvPath).Where(t => t.Inbound)
            .CountBy(t => t.AuthorId).Select(c => c.Value).ToArray();
        if (counts.Length == 0) throw new InvalidDataException($"{csvPath} holds no customer tweets.");
        return new CustomerPool(null, counts);
    }

    /// <summary>The TWCS rows shipped with Parley (copied beside every build of it).</summary>
    public static string TwcsCsv => Path.Combine(AppContext.BaseDirectory, "datasets", "twcs", "twcs_first5000_rows_normalized.csv");

    /// <summary>What the report says the tweets come from.</summary>
    public string Describe() => _uniform is { } n
        ? $"{n:N0} customers taking turns (each builds a long unanswered history)"
        : $"customers who write as often as TWCS's ({_tweetsPerCustomer.Average():0.0} tweets each on average, follow-ups within "
            + $"{FollowUpSpread:N0} deliveries; {Customers:N0} customers among the {Planned:N0} tweets prepared)";

    private long Planned { get { lock (_lock) return _assigned.Count; } }

    /// <summary>Customers seen up to now (the uniform pool's size once it has come round).</summary>
    public long Customers => _uniform ?? Interlocked.Read(ref _customers);

    /// <summary>The number (0, 1, ...) of the customer who sends tweet <paramref name="index"/>. Safe from any thread;
    /// call <see cref="Plan"/> first from one thread before many threads ask.</summary>
    public long CustomerOf(long index)
    {
        if (_uniform is { } n) return index * 7919 % n;
        lock (_lock)
        {
            Plan(index + 1);
            return _assigned[(int)index];
        }
    }

    /// <summary>Decides the customers of the first <paramref name="count"/> tweets, in order (each decision depends
    /// on the ones before it).</summary>
    public void Plan(long count)
    {
        if (_uniform is not null) return;
        lock (_lock)
        {
            for (long i = _assigned.Count; i < count; i++)
            {
                if (_followUps.TryPeek(out _, out var due) && due <= i)
                {
                    _assigned.Add(_followUps.Dequeue());
                    continue;
                }
                var customer = _customers;
                Interlocked.Increment(ref _customers);
                var tweets = _tweetsPerCustomer[_random.Next(_tweetsPerCustomer.Length)];
                for (var k = 1; k < tweets; k++) _followUps.Enqueue(customer, i + _random.Next(1, FollowUpSpread + 1));
                _assigned.Add(customer);
            }
        }
    }
}
