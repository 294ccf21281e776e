namespace Parley.Promises;

/// <summary>When a team counts time towards its promises: either around the clock, or its weekly open hours
/// in one IANA time zone less holidays (whole local days closed). Every answer is an instant; local time is
/// only how the schedule is written. How skipped and repeated local times resolve is in
/// <c>docs/adr/0008-service-level-clocks.md</c>.</summary>
public sealed partial class BusinessCalendar
{
    private readonly ZoneTimeline? timeline;
    private readonly (TimeSpan Opens, TimeSpan Closes)[][] hoursByDay;
    private readonly DateOnly[] holidays;
    private readonly TimeSpan[] openTimeByDay;

    private BusinessCalendar()
    {
        TimeZoneId = "Etc/UTC";
        Week = [];
        Holidays = [];
        hoursByDay = [];
        holidays = [];
        openTimeByDay = [];
        WeeklyOpenTime = TimeSpan.FromDays(7); // not OneWeek: static fields of partial files initialise in no set order
    }

    private BusinessCalendar(TimeZoneInfo zone, List<WeeklyOpening> week, DateOnly[] holidays)
    {
        timeline = ZoneTimeline.For(zone);
        TimeZoneId = zone.Id;
        hoursByDay = [.. Enum.GetValues<DayOfWeek>().Select(day => Merge(week.Where(o => o.Day == day)))];
        Week = [.. hoursByDay.SelectMany((hours, day) => hours.Select(h => new WeeklyOpening(
            (DayOfWeek)day, TimeOnly.FromTimeSpan(h.Opens), h.Closes == TimeSpan.FromDays(1) ? TimeOnly.MinValue : TimeOnly.FromTimeSpan(h.Closes))))];
        this.holidays = holidays;
        Holidays = Array.AsReadOnly(holidays);
        openTimeByDay = [.. hoursByDay.Select(hours => TimeSpan.FromTicks(hours.Sum(h => (h.Closes - h.Opens).Ticks)))];
        WeeklyOpenTime = TimeSpan.FromTicks(openTimeByDay.Sum(t => t.Ticks));
    }

    /// <summary>Every instant counts; holidays and time zones do not apply.</summary>
    public static BusinessCalendar AroundTheClock { get; } = new();

    public bool IsAroundTheClock => timeline is null;

    /// <summary>The IANA id of the zone the schedule is written in ("Etc/UTC" around the clock).</summary>
    public string TimeZoneId { get; }

    /// <summary>The weekly schedule, with overlapping or touching intervals of a day merged.</summary>
    public IReadOnlyList<WeeklyOpening> Week { get; }

    /// <summary>Local dates closed all day, ascending.</summary>
    public IReadOnlyList<DateOnly> Holidays { get; }

    /// <summary>Open time in an ordinary week (no holiday, no clock change during open hours).</summary>
    public TimeSpan WeeklyOpenTime { get; }

    /// <summary>Business hours in <paramref name="timeZoneId"/> (an IANA id such as "Europe/London").</summary>
    /// <exception cref="ArgumentException">When <see cref="Problems"/> has anything to say.</exception>
    public static BusinessCalendar Create(string timeZoneId, IEnumerable<WeeklyOpening> week, IEnumerable<DateOnly>? holidays = null)
    {
        var opening = week.ToList();
        var problems = Problems(timeZoneId, opening);
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(week));
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        return new(zone, opening, [.. (holidays ?? []).Distinct().Order()]);
    }

    /// <summary>What is wrong with a business-hours calendar, in words an administrator can act on; empty
    /// when <see cref="Create"/> would accept it.</summary>
    public static IReadOnlyList<string> Problems(string timeZoneId, IEnumerable<WeeklyOpening> week)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(timeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _))
            problems.Add($"'{timeZoneId}' is not a known time zone; use an IANA id such as Europe/London or America/New_York.");
        var opening = week.ToList();
        if (opening.Count == 0)
            problems.Add("Business hours need at least one open interval in the week; choose around the clock for a team that never closes.");
        foreach (var interval in opening.Where(o => o.ClosesAfterMidnight <= o.OpensAfterMidnight))
            problems.Add($"{interval}: closing must come after opening. Intervals do not pass midnight; split a night shift across two days.");
        foreach (var interval in opening.Where(o => !Enum.IsDefined(o.Day)))
            problems.Add($"{(int)interval.Day} is not a day of the week.");
        return problems;
    }

    /// <summary>Whether time counts at <paramref name="at"/>. Open intervals include their opening instant and
    /// exclude their closing one.</summary>
    public bool IsOpen(DateTimeOffset at) => IsAroundTheClock || NextOpening(at) == at;

    /// <summary>The earliest instant at or after <paramref name="at"/> at which the calendar is open:
    /// <paramref name="at"/> itself when it is open.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset at) =>
        IsAroundTheClock ? at.ToUniversalTime() : Utc(NextOpeningCore(at.UtcDateTime));

    /// <summary>The earliest instant by which <paramref name="amount"/> of open time has passed since
    /// <paramref name="start"/>. Zero gives <paramref name="start"/>; an amount that uses up the day exactly gives
    /// the closing time, not the next opening.</summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset start, TimeSpan amount)
    {
        if (amount < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Business time can only be added forwards.");
        if (amount == TimeSpan.Zero) return start.ToUniversalTime();
        return IsAroundTheClock ? (start + amount).ToUniversalTime() : Utc(AddCore(start.UtcDateTime, amount));
    }

    /// <summary>Open time between two instants; negative when <paramref name="to"/> comes first.</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) return -BusinessTimeBetween(to, from);
        return IsAroundTheClock ? to - from : BetweenCore(from.UtcDateTime, to.UtcDateTime);
    }

    /// <summary>The instant as the team's wall clock shows it, for display.</summary>
    public DateTimeOffset ToLocalTime(DateTimeOffset at)
    {
        if (timeline is null) return at.ToUniversalTime();
        var utc = at.UtcDateTime;
        return new DateTimeOffset(timeline.ToLocal(utc), timeline.OffsetAt(utc));
    }

    private static DateTimeOffset Utc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero);

    private static (TimeSpan Opens, TimeSpan Closes)[] Merge(IEnumerable<WeeklyOpening> intervals)
    {
        var merged = new List<(TimeSpan Opens, TimeSpan Closes)>();
        foreach (var interval in intervals.OrderBy(i => i.OpensAfterMidnight))
        {
            if (merged.Count > 0 && interval.OpensAfterMidnight <= merged[^1].Closes)
                merged[^1] = (merged[^1].Opens, interval.ClosesAfterMidnight > merged[^1].Closes ? interval.ClosesAfterMidnight : merged[^1].Closes);
            else
                merged.Add((interval.OpensAfterMidnight, interval.ClosesAfterMidnight));
        }
        return [.. merged];
    }
}
