using Microsoft.Extensions.Options;

namespace Parley.Platform.Audit;

/// <summary>Parley:Audit.</summary>
public sealed class AuditOptions
{
    /// <summary>Refused requests of callers who are not signed in (a wrong password, a missing key) kept per address
    /// and window; the rest are counted into one <see cref="RefusalThrottle.SuppressedAction"/> entry.</summary>
    public int RefusalsPerAddress { get; set; } = 20;
    /// <summary>The same across all addresses, so many addresses together cannot flood the trail either.</summary>
    public int RefusalsPerWindow { get; set; } = 600;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Addresses tracked at once; refusals from further addresses count as the window's overflow.</summary>
    public int MaxAddresses { get; set; } = 10_000;
}

/// <summary>Keeps an unauthenticated caller from filling the audit trail: anyone can send refused requests as fast as
/// the network allows, and every one would otherwise become a row that can never be deleted. Within a window the first
/// refusals per address (and overall) are kept as they are; the rest are counted, and when the window ends each
/// address's count becomes one entry, so the trail still says that it happened, from where and how often. Actions
/// of signed-in people and apps are never throttled.</summary>
public sealed class RefusalThrottle(IOptionsMonitor<AuditOptions> options, TimeProvider clock)
{
    public const string SuppressedAction = "audit.refusals_suppressed";
    /// <summary>The key under which refusals beyond <see cref="AuditOptions.MaxAddresses"/> or the overall limit are
    /// counted (not an address: addresses have no '*'). A caller of no known address is counted under "".</summary>
    public const string Overflow = "*";

    private sealed class Counts
    {
        public int Kept;
        public int Suppressed;
    }

    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _keptInWindow;
    private Dictionary<string, Counts> _byAddress = new(StringComparer.Ordinal);

    /// <summary>A window whose suppressed refusals are to be written, per address (<see cref="Overflow"/> for the overflow).</summary>
    public sealed record Suppressed(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<(string Address, int Count)> Counts);

    /// <returns>Whether this refusal is written as its own entry.</returns>
    public bool Keep(string? address, out Suppressed? ended)
    {
        var o = options.CurrentValue;
        lock (_lock)
        {
            ended = Roll(clock.GetUtcNow(), o.Window);
            address ??= "";
            if (!_byAddress.TryGetValue(address, out var counts))
            {
                if (_byAddress.Count >= o.MaxAddresses) address = Overflow;
                if (!_byAddress.TryGetValue(address, out counts)) _byAddress[address] = counts = new Counts();
            }
            if (address != Overflow && counts.Kept < o.RefusalsPerAddress && _keptInWindow < o.RefusalsPerWindow)
            {
                counts.Kept++;
                _keptInWindow++;
                return true;
            }
            // Over a limit: counted under the address while its own limit is what stopped it, else as overflow.
            if (address != Overflow && counts.Kept < o.RefusalsPerAddress)
            {
                if (!_byAddress.TryGetValue(Overflow, out counts)) _byAddress[Overflow] = counts = new Counts();
            }
            counts.Suppressed++;
            return false;
        }
    }

    /// <summary>The ended window's suppressed counts, if the window has ended and had any; called by the flusher so a
    /// window is written even when no further refusal comes.</summary>
    public Suppressed? TakeEnded()
    {
        lock (_lock) return Roll(clock.GetUtcNow(), options.CurrentValue.Window);
    }

    private Suppressed? Roll(DateTimeOffset now, TimeSpan window)
    {
        if (now < _windowStart + window) return null;
        var from = _windowStart;
        var counts = _byAddress.Where(p => p.Value.Suppressed > 0).Select(p => (p.Key, p.Value.Suppressed)).ToList();
        _windowStart = now;
        _keptInWindow = 0;
        _byAddress = new(StringComparer.Ordinal);
        return counts.Count == 0 ? null : new Suppressed(from, now, counts);
    }
}
