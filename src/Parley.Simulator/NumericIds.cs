namespace Parley.Simulator;

/// <summary>X and Graph ids are decimal strings that can exceed what clients parse safely as numbers,
/// so they are ordered as strings of digits: shorter is smaller, then digit by digit.</summary>
internal static class NumericIds
{
    public static bool IsNumeric(string? id) => !string.IsNullOrEmpty(id) && id.Length <= 20 && id.All(char.IsAsciiDigit);

    public static int Compare(string a, string b)
    {
        var x = a.TrimStart('0');
        var y = b.TrimStart('0');
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
    }
}

/// <summary>Makes ids in the networks' shapes: X snowflakes (milliseconds since the Twitter epoch in
/// the high bits, so they sort by creation time) and Graph's long decimal object ids.</summary>
internal sealed class IdSource(TimeProvider clock)
{
    private const long TwitterEpochMs = 1288834974657;
    private long lastSnowflake;
    private long lastGraph;

    public string NextSnowflake() => Next(ref lastSnowflake, (clock.GetUtcNow().ToUnixTimeMilliseconds() - TwitterEpochMs) << 22);

    /// <summary>Graph object ids: 15 to 17 digits, increasing.</summary>
    public string NextGraphId() => Next(ref lastGraph, 100_000_000_000_000 + (clock.GetUtcNow().ToUnixTimeMilliseconds() * 10));

    private static string Next(ref long last, long candidate)
    {
        while (true)
        {
            var seen = Interlocked.Read(ref last);
            var next = Math.Max(seen + 1, candidate);
            if (Interlocked.CompareExchange(ref last, next, seen) == seen) return next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
