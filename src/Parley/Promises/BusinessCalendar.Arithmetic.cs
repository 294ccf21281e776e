namespace Parley.Promises;

/// <summary>The walk over open time. Each local day yields its open spans as UTC instants; long stretches
/// with no offset change are skipped a whole number of weeks at a time, since each such week holds exactly
/// <see cref="WeeklyOpenTime"/> less its holidays' hours. A year is a handful of steps, not 365 days of conversions.</summary>
public sealed partial class BusinessCalendar
{
    private static readonly TimeSpan OneWeek = TimeSpan.FromDays(7);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    private ZoneTimeline Zone => timeline ?? throw new InvalidOperationException("An around-the-clock calendar has no schedule to walk.");

    private DateTime AddCore(DateTime start, TimeSpan amount)
    {
        var remaining = amount;
        var cursor = start;
        // The day before can still be open after `start` when midnight is repeated by a clock change.
        var date = LocalDate(start).AddDays(-1);
        while (true)
        {
            var midnight = Midnight(date);
            if (remaining > WeeklyOpenTime && TrySkipWeeks(date, midnight, cursor, (remaining.Ticks - 1) / WeeklyOpenTime.Ticks, out var weeks, out var skipped))
            {
                remaining -= skipped;
                date = date.AddDays(7 * weeks);
                cursor = midnight + TimeSpan.FromTicks(OneWeek.Ticks * weeks);
                continue;
            }
            foreach (var (opens, closes) in SpansOn(date))
            {
                var from = opens > cursor ? opens : cursor;
                if (closes <= from) continue;
                if (closes - from >= remaining) return from + remaining;
                remaining -= closes - from;
                cursor = closes;
            }
            date = date.AddDays(1);
        }
    }

    private TimeSpan BetweenCore(DateTime from, DateTime to)
    {
        var total = TimeSpan.Zero;
        var cursor = from;
        var date = LocalDate(from).AddDays(-1);
        while (true)
        {
            var midnight = Midnight(date);
            if (midnight >= to) return total;
            if (TrySkipWeeks(date, midnight, cursor, (to - midnight).Ticks / OneWeek.Ticks, out var weeks, out var skipped))
            {
                total += skipped;
                date = date.AddDays(7 * weeks);
                cursor = midnight + TimeSpan.FromTicks(OneWeek.Ticks * weeks);
                continue;
            }
            foreach (var (opens, closes) in SpansOn(date))
            {
                if (closes <= cursor) continue;
                var counted = (closes < to ? closes : to) - (opens > cursor ? opens : cursor);
                if (counted > TimeSpan.Zero) total += counted;
                cursor = closes;
            }
            date = date.AddDays(1);
        }
    }

    private DateTime NextOpeningCore(DateTime at)
    {
        // Terminates: validation guarantees open hours every week and holidays are finite.
        for (var date = LocalDate(at).AddDays(-1); ; date = date.AddDays(1))
        {
            foreach (var (opens, closes) in SpansOn(date))
            {
                var from = opens > at ? opens : at;
                if (closes > from) return from;
            }
        }
    }

    /// <summary>How many whole weeks from local midnight of <paramref name="date"/> can be counted without
    /// walking them, and how much open time they hold: each week's <see cref="WeeklyOpenTime"/> less the hours of
    /// its holidays. None may contain, with a day's margin either side, an offset change (the one thing that
    /// makes local hours differ from elapsed time), and none may start before what has already been counted.</summary>
    private bool TrySkipWeeks(DateOnly date, DateTime midnight, DateTime cursor, long wanted, out int weeks, out TimeSpan counted)
    {
        weeks = 0;
        counted = TimeSpan.Zero;
        if (wanted < 1 || midnight < cursor) return false;
        var limit = Math.Min(wanted, (DateTime.MaxValue - midnight).Days / 7 - 1);
        var horizon = midnight + TimeSpan.FromTicks(OneWeek.Ticks * limit) + OneDay;
        if (Zone.FirstTransitionFrom(midnight - OneDay, horizon) is { } change)
            limit = Math.Min(limit, (change - OneDay - midnight).Ticks / OneWeek.Ticks);
        if (limit < 1) return false;
        weeks = (int)limit;
        var closed = TimeSpan.Zero;
        for (var i = FirstHolidayFrom(date); i < holidays.Length && holidays[i] < date.AddDays(7 * weeks); i++)
            closed += openTimeByDay[(int)holidays[i].DayOfWeek];
        counted = TimeSpan.FromTicks(WeeklyOpenTime.Ticks * weeks) - closed;
        return true;
    }

    private int FirstHolidayFrom(DateOnly date)
    {
        var index = Array.BinarySearch(holidays, date);
        return index < 0 ? ~index : index;
    }

    /// <summary>The open spans of one local date as UTC instants, in order. An opening resolves to the first
    /// time the wall clock shows it and a closing to the last, so a span is never cut short by a repeated hour;
    /// a time skipped by the clocks going forward resolves to the instant of the jump.</summary>
    private IEnumerable<(DateTime Opens, DateTime Closes)> SpansOn(DateOnly date)
    {
        if (Array.BinarySearch(holidays, date) >= 0) yield break;
        var midnight = date.ToDateTime(TimeOnly.MinValue);
        foreach (var (opens, closes) in hoursByDay[(int)date.DayOfWeek])
        {
            var from = Zone.ToUtc(midnight + opens, latest: false);
            var to = Zone.ToUtc(midnight + closes, latest: true);
            if (to > from) yield return (from, to);
        }
    }

    private DateTime Midnight(DateOnly date) => Zone.ToUtc(date.ToDateTime(TimeOnly.MinValue), latest: false);

    private DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(Zone.ToLocal(utc));
}
