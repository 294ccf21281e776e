namespace Parley.Promises;

/// <summary>Open hours on one day of the week, in the calendar's local time. <see cref="Closes"/> of 00:00
/// means midnight at the end of the day, so (00:00, 00:00) is the whole day. Intervals do not pass
/// midnight: a night shift is two intervals, one on each day.</summary>
public sealed record WeeklyOpening(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes)
{
    /// <summary>The same hours Monday to Friday.</summary>
    public static IReadOnlyList<WeeklyOpening> Weekdays(TimeOnly opens, TimeOnly closes) =>
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(day => new WeeklyOpening(day, opens, closes))];

    /// <summary>The same hours on all seven days.</summary>
    public static IReadOnlyList<WeeklyOpening> EveryDay(TimeOnly opens, TimeOnly closes) =>
        [.. Enum.GetValues<DayOfWeek>().Select(day => new WeeklyOpening(day, opens, closes))];

    internal TimeSpan OpensAfterMidnight => Opens.ToTimeSpan();

    internal TimeSpan ClosesAfterMidnight => Closes == TimeOnly.MinValue ? TimeSpan.FromDays(1) : Closes.ToTimeSpan();

    public override string ToString() => $"{Day} {Opens:HH:mm}–{(Closes == TimeOnly.MinValue ? "24:00" : Closes.ToString("HH:mm"))}";
}
