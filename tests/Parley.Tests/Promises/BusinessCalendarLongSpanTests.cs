using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class BusinessCalendarLongSpanTests
{
    private static readonly DateOnly[] EnglishBankHolidays2024 =
    [
        new(2024, 1, 1), new(2024, 3, 29), new(2024, 4, 1), new(2024, 5, 6),
        new(2024, 5, 27), new(2024, 8, 26), new(2024, 12, 25), new(2024, 12, 26),
    ];

    private static readonly IReadOnlyList<WeeklyOpening> WeekdaysAndSundayMorning =
        [.. WeeklyOpening.Weekdays(new(9, 0), new(17, 0)), new WeeklyOpening(DayOfWeek.Sunday, new(8, 0), new(12, 0))];

    [Fact]
    public void A_year_of_London_business_hours_is_counted_exactly()
    {
        var london = BusinessCalendar.Create("Europe/London", WeeklyOpening.Weekdays(new(9, 0), new(17, 0)), EnglishBankHolidays2024);
        var newYear = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var nextNewYear = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        // 262 weekdays in 2024, less 8 bank holidays; the clocks change at night, so every working day is 8 hours.
        Assert.Equal(TimeSpan.FromHours(254 * 8), london.BusinessTimeBetween(newYear, nextNewYear));
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 17, 0, 0, TimeSpan.Zero), london.AddBusinessTime(newYear, TimeSpan.FromHours(254 * 8)));
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero), london.AddBusinessTime(newYear, TimeSpan.FromHours(254 * 8 + 1)));
    }

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    [InlineData("Asia/Kolkata")]
    public void Skipping_whole_weeks_agrees_with_counting_one_day_at_a_time(string zone)
    {
        var calendar = BusinessCalendar.Create(zone, WeekdaysAndSundayMorning,
            [new(2023, 12, 25), new(2024, 3, 10), new(2024, 7, 4), new(2024, 11, 3), new(2025, 1, 1)]);
        var from = new DateTimeOffset(2023, 5, 17, 13, 37, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2025, 8, 2, 8, 0, 0, TimeSpan.Zero);

        var dayByDay = TimeSpan.Zero;
        for (var day = from; day < to; day = day.AddDays(1))
            dayByDay += calendar.BusinessTimeBetween(day, day.AddDays(1) < to ? day.AddDays(1) : to);

        Assert.Equal(dayByDay, calendar.BusinessTimeBetween(from, to));
        foreach (var amount in new[] { 1, 44, 45, 46, 400, 999, 3000 }.Select(h => TimeSpan.FromHours(h) + TimeSpan.FromMinutes(7)))
        {
            var due = calendar.AddBusinessTime(from, amount);
            Assert.Equal(amount, calendar.BusinessTimeBetween(from, due));
            Assert.True(calendar.BusinessTimeBetween(from, due.AddTicks(-1)) < amount, "the due instant is the earliest one");
        }
    }

    [Theory]
    [InlineData("Europe/London")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    [InlineData("Asia/Kolkata")]
    public void Business_time_matches_a_minute_by_minute_count_through_clock_changes(string zone)
    {
        var holiday = new DateOnly(2024, 10, 16);
        var calendar = BusinessCalendar.Create(zone, WeekdaysAndSundayMorning, [holiday]);
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var start = new DateTimeOffset(2024, 9, 30, 0, 0, 0, TimeSpan.Zero);
        var end = new DateTimeOffset(2024, 11, 12, 0, 0, 0, TimeSpan.Zero);

        // The reference reads the wall clock each minute through TimeZoneInfo, knowing nothing of transitions.
        var openMinutes = new List<DateTimeOffset>();
        for (var minute = start; minute < end; minute = minute.AddMinutes(1))
        {
            var local = TimeZoneInfo.ConvertTime(minute, timeZone);
            var time = TimeOnly.FromDateTime(local.DateTime);
            if (DateOnly.FromDateTime(local.DateTime) != holiday
                && WeekdaysAndSundayMorning.Any(o => o.Day == local.DayOfWeek && o.Opens <= time && time < o.Closes))
                openMinutes.Add(minute);
        }

        Assert.Equal(TimeSpan.FromMinutes(openMinutes.Count), calendar.BusinessTimeBetween(start, end));
        Assert.Equal(TimeSpan.FromMinutes(openMinutes.Count(m => m < start.AddDays(20))), calendar.BusinessTimeBetween(start, start.AddDays(20)));
        Assert.Equal(openMinutes[1000].AddMinutes(1), calendar.AddBusinessTime(start, TimeSpan.FromMinutes(1001)));
        Assert.Equal(openMinutes[^1].AddMinutes(1), calendar.AddBusinessTime(start, TimeSpan.FromMinutes(openMinutes.Count)));
        foreach (var minute in openMinutes.Where((m, i) => i % 97 == 0 && m > start))
        {
            Assert.True(calendar.IsOpen(minute));
            Assert.False(calendar.IsOpen(minute.AddMinutes(-1)) && !openMinutes.Contains(minute.AddMinutes(-1)));
        }
    }

    [Fact]
    public void Spans_of_a_year_and_a_decade_add_up_and_round_trip()
    {
        // How fast long spans are is for a benchmark; here: they are right. A year of weekday 9-17 in
        // London, less England's 2024 bank holidays, and adding that much work back lands where it began.
        var london = BusinessCalendar.Create("Europe/London", WeeklyOpening.Weekdays(new(9, 0), new(17, 0)), EnglishBankHolidays2024);
        var start = new DateTimeOffset(2024, 2, 14, 10, 30, 0, TimeSpan.Zero);

        var yearOfWork = london.BusinessTimeBetween(start, start.AddYears(1));
        var decadeOfWork = london.BusinessTimeBetween(start, start.AddYears(10));

        Assert.InRange(yearOfWork.TotalHours, 250 * 8, 262 * 8);
        Assert.InRange(decadeOfWork.TotalHours, 9.5 * yearOfWork.TotalHours, 10.5 * yearOfWork.TotalHours);
        var end = london.AddBusinessTime(start, yearOfWork);
        Assert.Equal(yearOfWork, london.BusinessTimeBetween(start, end));
        Assert.True(end <= start.AddYears(1));
    }
}
