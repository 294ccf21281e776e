using System.Collections.Concurrent;

namespace Parley.Promises;

/// <summary>One change of a zone's UTC offset: from <see cref="AtUtc"/> on, <see cref="After"/> applies.</summary>
internal readonly record struct OffsetTransition(DateTime AtUtc, TimeSpan Before, TimeSpan After);

/// <summary>The UTC offsets of one time zone as explicit transitions, found once per year and cached.
/// TimeZoneInfo answers "what is the offset at this instant" but not "where does it change", and business
/// time needs both: where it changes decides which weeks can be skipped arithmetically and how a local time
/// that is skipped or repeated resolves. After the first call for a year, conversions are plain arithmetic.</summary>
internal sealed class ZoneTimeline
{
    private static readonly ConcurrentDictionary<string, ZoneTimeline> Zones = new(StringComparer.Ordinal);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly TimeZoneInfo zone;
    private readonly ConcurrentDictionary<int, YearOffsets> years = new();
    private readonly Func<int, YearOffsets> scan;
    // Most lookups in a row are for the same year; remembering it skips the dictionary. Years are immutable,
    // so a stale read from another thread is merely a cache miss.
    private YearOffsets? recent;

    private ZoneTimeline(TimeZoneInfo zone)
    {
        this.zone = zone;
        scan = Scan;
    }

    public static ZoneTimeline For(TimeZoneInfo zone) => Zones.GetOrAdd(zone.Id, _ => new ZoneTimeline(zone));

    public TimeSpan OffsetAt(DateTime utc)
    {
        var year = Year(utc.Year);
        var offset = year.OffsetAtStart;
        foreach (var transition in year.Transitions)
        {
            if (transition.AtUtc > utc) break;
            offset = transition.After;
        }
        return offset;
    }

    public DateTime ToLocal(DateTime utc) => DateTime.SpecifyKind(utc + OffsetAt(utc), DateTimeKind.Unspecified);

    /// <summary>The instant a local wall-clock time names. A time that occurs twice (the clocks go back)
    /// resolves to its first occurrence, or its last when <paramref name="latest"/> is set; a time that never
    /// occurs (the clocks go forward) resolves to the instant of the jump, the first moment the wall clock
    /// shows a later time.</summary>
    public DateTime ToUtc(DateTime local, bool latest)
    {
        // No zone is more than 18 hours from UTC, so every instant that can show this local time lies within a day of it.
        var from = DateTime.SpecifyKind(local - Day, DateTimeKind.Utc);
        var to = DateTime.SpecifyKind(local + Day, DateTimeKind.Utc);
        if (FirstTransitionFrom(from, to) is null) return DateTime.SpecifyKind(local - OffsetAt(from), DateTimeKind.Utc);
        var segmentStart = from;
        var offset = OffsetAt(from);
        DateTime? found = null;
        DateTime? jump = null;
        foreach (var transition in TransitionsBetween(from, to))
        {
            found = Pick(found, Candidate(local, offset, segmentStart, transition.AtUtc), latest);
            if (transition.AtUtc + transition.Before <= local && local < transition.AtUtc + transition.After)
                jump ??= transition.AtUtc;
            segmentStart = transition.AtUtc;
            offset = transition.After;
        }
        found = Pick(found, Candidate(local, offset, segmentStart, to), latest);
        return found ?? jump ?? DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    /// <summary>The first transition at or after <paramref name="utc"/> and before <paramref name="horizon"/>.</summary>
    public DateTime? FirstTransitionFrom(DateTime utc, DateTime horizon)
    {
        for (var y = utc.Year; y <= horizon.Year; y++)
        {
            foreach (var transition in Year(y).Transitions)
            {
                if (transition.AtUtc >= horizon) return null;
                if (transition.AtUtc >= utc) return transition.AtUtc;
            }
        }
        return null;
    }

    private IEnumerable<OffsetTransition> TransitionsBetween(DateTime from, DateTime to)
    {
        for (var y = from.Year; y <= to.Year; y++)
        {
            foreach (var transition in Year(y).Transitions)
            {
                if (transition.AtUtc >= to) yield break;
                if (transition.AtUtc >= from) yield return transition;
            }
        }
    }

    private static DateTime? Candidate(DateTime local, TimeSpan offset, DateTime segmentStart, DateTime segmentEnd)
    {
        var utc = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
        return utc >= segmentStart && utc < segmentEnd ? utc : null;
    }

    private static DateTime? Pick(DateTime? best, DateTime? candidate, bool latest) =>
        best is null ? candidate
        : candidate is null ? best
        : latest ? (candidate > best ? candidate : best) : (candidate < best ? candidate : best);

    private YearOffsets Year(int year)
    {
        var known = recent;
        if (known is not null && known.Year == year) return known;
        known = years.GetOrAdd(year, scan);
        recent = known;
        return known;
    }

    /// <summary>Samples the offset once per day and bisects each change down to the tick. This assumes a zone
    /// changes its offset at most once per day, which holds for every zone in the tz database in use today.</summary>
    private YearOffsets Scan(int year)
    {
        var start = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = year == DateTime.MaxValue.Year ? DateTime.MaxValue : start.AddYears(1);
        var before = start == DateTime.MinValue ? start : start.AddTicks(-1);
        var offsetAtStart = zone.GetUtcOffset(before);
        var transitions = new List<OffsetTransition>();
        var sample = before;
        var offset = offsetAtStart;
        while (sample < end)
        {
            var next = end - sample > Day ? sample + Day : end.AddTicks(-1);
            if (next <= sample) break;
            var nextOffset = zone.GetUtcOffset(next);
            if (nextOffset != offset) transitions.Add(new(Bisect(sample, next, offset), offset, nextOffset));
            sample = next;
            offset = nextOffset;
        }
        return new(year, offsetAtStart, [.. transitions]);
    }

    private DateTime Bisect(DateTime lastBefore, DateTime firstAfter, TimeSpan offsetBefore)
    {
        while (firstAfter.Ticks - lastBefore.Ticks > 1)
        {
            var middle = new DateTime(lastBefore.Ticks + (firstAfter.Ticks - lastBefore.Ticks) / 2, DateTimeKind.Utc);
            if (zone.GetUtcOffset(middle) == offsetBefore) lastBefore = middle;
            else firstAfter = middle;
        }
        return firstAfter;
    }

    private sealed record YearOffsets(int Year, TimeSpan OffsetAtStart, OffsetTransition[] Transitions);
}
