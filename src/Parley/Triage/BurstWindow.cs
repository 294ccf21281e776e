namespace Parley.Triage;

/// <summary>The patience window: how long to wait after a customer's message for the next one before the
/// conversation is routed, and the longest a burst may hold routing back in all.</summary>
public sealed record BurstPolicy(TimeSpan Window, TimeSpan MaxHold)
{
    /// <summary>45 seconds covers typing the next tweet of a thread; two minutes caps the wait for a
    /// customer who keeps writing.</summary>
    public static BurstPolicy Default { get; } = new(TimeSpan.FromSeconds(45), TimeSpan.FromMinutes(2));
}

/// <summary>Decides whether messages belong to one burst ("my flight" / "was cancelled" / "and nobody
/// answers") so that an agent reads them whole. Pure functions of timestamps.</summary>
public static class BurstWindow
{
    /// <summary>Whether a message at <paramref name="at"/> joins the burst that began at
    /// <paramref name="burstStart"/> and whose latest message came at <paramref name="lastAt"/>.
    /// The window is inclusive: a message exactly at its end still joins.</summary>
    public static bool Joins(DateTimeOffset burstStart, DateTimeOffset lastAt, DateTimeOffset at, BurstPolicy policy) =>
        at >= lastAt && at - lastAt <= policy.Window && at - burstStart <= policy.MaxHold;

    /// <summary>Whether a message joins the burst when only the window matters (no cap on the burst's length).</summary>
    public static bool Joins(DateTimeOffset lastAt, DateTimeOffset at, TimeSpan window) =>
        at >= lastAt && at - lastAt <= window;

    /// <summary>When the burst may be routed if nothing more arrives: the end of the window after the
    /// latest message, but never later than the cap after the first.</summary>
    public static DateTimeOffset RouteAt(DateTimeOffset burstStart, DateTimeOffset lastAt, BurstPolicy policy)
    {
        var windowEnd = lastAt + policy.Window;
        var cap = burstStart + policy.MaxHold;
        return windowEnd < cap ? windowEnd : cap;
    }

    /// <summary>Whether the burst is complete at <paramref name="now"/> and may be routed.</summary>
    public static bool IsReady(DateTimeOffset burstStart, DateTimeOffset lastAt, DateTimeOffset now, BurstPolicy policy) =>
        now > RouteAt(burstStart, lastAt, policy) || now - burstStart >= policy.MaxHold;

    /// <summary>Groups message times into bursts, in time order.</summary>
    public static List<List<DateTimeOffset>> Group(IEnumerable<DateTimeOffset> times, BurstPolicy policy)
    {
        var bursts = new List<List<DateTimeOffset>>();
        foreach (var at in times.Order())
        {
            var current = bursts.Count > 0 ? bursts[^1] : null;
            if (current is not null && Joins(current[0], current[^1], at, policy)) current.Add(at);
            else bursts.Add([at]);
        }
        return bursts;
    }
}
