namespace Parley.Simulator;

/// <summary>Faults waiting for their calls: the first queued fault whose prefix matches a call takes it,
/// so faults added in order apply in order.</summary>
internal sealed class FaultQueue
{
    private readonly Lock gate = new();
    private readonly List<Pending> pending = [];

    private sealed class Pending(Fault fault)
    {
        public Fault Fault { get; } = fault;
        public int Remaining { get; set; } = fault.Times;
    }

    public static void Validate(Fault fault)
    {
        if (fault.Kind is not (Fault.TimeoutAfterAccept or Fault.Status or Fault.RateLimit))
            throw new ArgumentException($"Unknown fault kind '{fault.Kind}'; use '{Fault.TimeoutAfterAccept}', '{Fault.Status}' or '{Fault.RateLimit}'.", nameof(fault));
        if (fault.Times < 1) throw new ArgumentException("Times must be at least 1.", nameof(fault));
        if (fault.Kind == Fault.Status && fault.StatusCode is < 400 or > 599)
            throw new ArgumentException("A status fault needs a 4xx or 5xx StatusCode.", nameof(fault));
        if (fault.RetryAfterSeconds < 0) throw new ArgumentException("RetryAfterSeconds cannot be negative.", nameof(fault));
        if (fault.Delay is { } d && d < TimeSpan.Zero) throw new ArgumentException("Delay cannot be negative.", nameof(fault));
    }

    public void Add(Fault fault)
    {
        Validate(fault);
        lock (gate) pending.Add(new Pending(fault));
    }

    /// <summary>Takes one use of the first fault matching <paramref name="path"/>, or null.</summary>
    public Fault? Take(string path)
    {
        lock (gate)
        {
            var match = pending.FirstOrDefault(p => p.Fault.PathPrefix is null || path.StartsWith(p.Fault.PathPrefix, StringComparison.Ordinal));
            if (match is null) return null;
            if (--match.Remaining == 0) pending.Remove(match);
            return match.Fault;
        }
    }

    public IReadOnlyList<Fault> Snapshot()
    {
        lock (gate) return [.. pending.Select(p => p.Fault with { Times = p.Remaining })];
    }

    public void Clear()
    {
        lock (gate) pending.Clear();
    }
}
