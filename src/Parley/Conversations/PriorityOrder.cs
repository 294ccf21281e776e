using System.Text;

namespace Parley.Conversations;

/// <summary>The priority order of conversations, shared by the inbox and the conversations API: highest
/// ranked priority first, then whoever has waited longest (oldest last message), then id, so the order is
/// total and a keyset cursor (the last row's three values) pages through it without gaps or repeats.</summary>
public static class PriorityOrder
{
    public sealed record Position(int RankedPriority, DateTimeOffset At, Guid Id);

    public static IQueryable<Conversation> Apply(IQueryable<Conversation> query, Position? after)
    {
        if (after is { } a) query = After(query, a);
        return query.OrderByDescending(c => c.RankedPriority).ThenBy(c => c.LastMessageAt).ThenBy(c => c.Id);
    }

    /// <summary>Only the conversations after <paramref name="a"/> in this order.</summary>
    public static IQueryable<Conversation> After(IQueryable<Conversation> query, Position a) =>
        query.Where(c => c.RankedPriority < a.RankedPriority
            || (c.RankedPriority == a.RankedPriority && (c.LastMessageAt > a.At || (c.LastMessageAt == a.At && c.Id.CompareTo(a.Id) > 0))));

    public static string Encode(int rankedPriority, DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"p|{rankedPriority}|{at.UtcTicks}|{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <returns>Null for anything but a cursor this order made (a cursor of another order included).</returns>
    public static Position? Decode(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            return parts.Length == 4 && parts[0] == "p" && int.TryParse(parts[1], out var priority)
                && long.TryParse(parts[2], out var ticks) && Guid.TryParse(parts[3], out var id)
                ? new Position(priority, new DateTimeOffset(ticks, TimeSpan.Zero), id) : null;
        }
        catch (FormatException) { return null; }
        catch (ArgumentOutOfRangeException) { return null; }
    }
}
