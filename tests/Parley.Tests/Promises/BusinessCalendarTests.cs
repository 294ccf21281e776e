using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class BusinessCalendarTests
{
    private static readonly TimeOnly Nine = new(9, 0);
    private static readonly TimeOnly Five = new(17, 0);
    private static readonly TimeSpan Gmt = TimeSpan.Zero, Bst = TimeSpan.FromHours(1);
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5), Edt = TimeSpan.FromHours(-4);

    private static BusinessCalendar NineToFive(string zone, params DateOnly[] holidays) =>
        BusinessCalendar.Create(zone, WeeklyOpening.Weekdays(Nine, Five), holidays);

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute, TimeSpan offset) =>
        new(year, month, day, hour, minute, 0, offset);

    [Fact]
    public void Two_business_hours_from_Friday_16_00_land_on_Monday_10_00()
    {
        var london = NineToFive("Europe/London");

        var due = london.AddBusinessTime(At(2024, 6, 7, 16, 0, Bst), TimeSpan.FromHours(2));

        Assert.Equal(At(2024, 6, 10, 10, 0, Bst), due);
        Assert.Equal(TimeSpan.FromHours(2), london.BusinessTimeBetween(At(2024, 6, 7, 16, 0, Bst), due));
    }

    public static TheoryData<string, DateTimeOffset, DateTimeOffset> DaylightSavingWeekends => new()
    {
        { "Europe/London", At(2024, 3, 29, 16, 0, Gmt), At(2024, 4, 1, 10, 0, Bst) },     // clocks go forward Sun 31 Mar
        { "Europe/London", At(2024, 10, 25, 16, 0, Bst), At(2024, 10, 28, 10, 0, Gmt) },  // clocks go back Sun 27 Oct
        { "America/New_York", At(2024, 3, 8, 16, 0, Est), At(2024, 3, 11, 10, 0, Edt) },  // forward Sun 10 Mar
        { "America/New_York", At(2024, 11, 1, 16, 0, Edt), At(2024, 11, 4, 10, 0, Est) }, // back Sun 3 Nov
    };

    [Theory]
    [MemberData(nameof(DaylightSavingWeekends))]
    public void Two_business_hours_from_Friday_16_00_land_on_Monday_10_00_across_a_clock_change(string zone, DateTimeOffset friday, DateTimeOffset monday)
    {
        var calendar = NineToFive(zone);

        Assert.Equal(monday, calendar.AddBusinessTime(friday, TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromHours(2), calendar.BusinessTimeBetween(friday, monday));
        Assert.Equal(-TimeSpan.FromHours(2), calendar.BusinessTimeBetween(monday, friday));
        Assert.Equal(monday.AddHours(-1), calendar.NextOpening(friday.AddHours(2)));
    }

    [Theory]
    [InlineData("Europe/London", 2024, 3, 31)]
    [InlineData("Europe/London", 2024, 10, 27)]
    [InlineData("America/New_York", 2024, 3, 10)]
    [InlineData("America/New_York", 2024, 11, 3)]
    public void A_nine_to_five_day_is_eight_hours_on_the_day_the_clocks_change(string zone, int year, int month, int day)
    {
        var calendar = BusinessCalendar.Create(zone, WeeklyOpening.EveryDay(Nine, Five));
        var midnightUtc = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero); // before 09:00 that day in both zones

        var opening = calendar.NextOpening(midnightUtc);
        var closing = calendar.AddBusinessTime(opening, TimeSpan.FromHours(8));

        Assert.Equal(new DateTime(year, month, day, 9, 0, 0), calendar.ToLocalTime(opening).DateTime);
        Assert.Equal(new DateTime(year, month, day, 17, 0, 0), calendar.ToLocalTime(closing).DateTime);
        Assert.Equal(TimeSpan.FromHours(8), closing - opening);
        Assert.Equal(TimeSpan.FromHours(8), calendar.BusinessTimeBetween(opening.AddHours(-8), opening.AddHours(16)));
    }

    [Fact]
    public void A_whole_local_day_lasts_23_hours_in_spring_and_25_in_autumn()
    {
        var london = BusinessCalendar.Create("Europe/London", WeeklyOpening.EveryDay(TimeOnly.MinValue, TimeOnly.MinValue),
            [new DateOnly(2024, 3, 30)]);

        Assert.Equal(TimeSpan.FromHours(23), london.BusinessTimeBetween(At(2024, 3, 31, 0, 0, Gmt), At(2024, 4, 1, 0, 0, Bst)));
        Assert.Equal(TimeSpan.FromHours(25), london.BusinessTimeBetween(At(2024, 10, 27, 0, 0, Bst), At(2024, 10, 28, 0, 0, Gmt)));
        Assert.Equal(TimeSpan.FromHours(7 * 24 + 1), london.BusinessTimeBetween(At(2024, 10, 21, 0, 0, Bst), At(2024, 10, 28, 0, 0, Gmt)));
        // The Saturday is a holiday, so counting starts at Sunday midnight; Sunday holds only 23 hours.
        Assert.Equal(At(2024, 4, 1, 0, 0, Bst), london.AddBusinessTime(At(2024, 3, 30, 12, 0, Gmt), TimeSpan.FromHours(23)));
        Assert.Equal(At(2024, 4, 1, 1, 0, Bst), london.AddBusinessTime(At(2024, 3, 30, 12, 0, Gmt), TimeSpan.FromHours(24)));
    }

    [Fact]
    public void An_opening_in_the_hour_skipped_by_spring_forward_opens_at_the_jump()
    {
        // London: 01:00 GMT becomes 02:00 BST, so 01:30 never shows on the clock.
        var london = BusinessCalendar.Create("Europe/London", [new WeeklyOpening(DayOfWeek.Sunday, new(1, 30), new(3, 0))]);
        // New York: 02:00 EST becomes 03:00 EDT, so 02:30 never shows.
        var newYork = BusinessCalendar.Create("America/New_York", [new WeeklyOpening(DayOfWeek.Sunday, new(2, 30), new(4, 0))]);

        Assert.Equal(new DateTimeOffset(2024, 3, 31, 1, 0, 0, TimeSpan.Zero), london.NextOpening(At(2024, 3, 30, 12, 0, Gmt)));
        Assert.Equal(TimeSpan.FromHours(1), london.BusinessTimeBetween(At(2024, 3, 30, 12, 0, Gmt), At(2024, 3, 31, 12, 0, Bst)));
        Assert.Equal(At(2024, 3, 10, 3, 0, Edt), newYork.NextOpening(At(2024, 3, 9, 12, 0, Est)));
        Assert.Equal(TimeSpan.FromHours(1), newYork.BusinessTimeBetween(At(2024, 3, 9, 12, 0, Est), At(2024, 3, 10, 12, 0, Edt)));
    }

    [Fact]
    public void An_interval_over_the_repeated_hour_runs_from_the_first_opening_to_the_last_closing()
    {
        // London on 27 Oct 2024 shows 01:00–02:00 twice (BST, then GMT); 01:30 BST is 00:30 UTC, 03:00 GMT is 03:00 UTC.
        var london = BusinessCalendar.Create("Europe/London", [new WeeklyOpening(DayOfWeek.Sunday, new(1, 30), new(3, 0))]);
        // New York on 3 Nov 2024: 01:30 EDT is 05:30 UTC; 02:30 EST is 07:30 UTC.
        var newYork = BusinessCalendar.Create("America/New_York", [new WeeklyOpening(DayOfWeek.Sunday, new(1, 30), new(2, 30))]);
        // Closing inside the repeated hour: open from 00:00 BST (23:00 UTC) until the second 01:30, 01:30 GMT.
        var lateNight = BusinessCalendar.Create("Europe/London", [new WeeklyOpening(DayOfWeek.Sunday, new(0, 0), new(1, 30))]);

        Assert.Equal(At(2024, 10, 27, 1, 30, Bst), london.NextOpening(At(2024, 10, 26, 12, 0, Bst)));
        Assert.True(london.IsOpen(At(2024, 10, 27, 1, 15, Gmt)), "the second 01:15 lies between the first 01:30 and 03:00");
        Assert.Equal(TimeSpan.FromHours(2.5), london.BusinessTimeBetween(At(2024, 10, 26, 12, 0, Bst), At(2024, 10, 27, 12, 0, Gmt)));
        Assert.Equal(TimeSpan.FromHours(2), newYork.BusinessTimeBetween(At(2024, 11, 2, 12, 0, Edt), At(2024, 11, 3, 12, 0, Est)));
        Assert.Equal(At(2024, 11, 3, 2, 30, Est), newYork.AddBusinessTime(At(2024, 11, 2, 12, 0, Edt), TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromHours(2.5), lateNight.BusinessTimeBetween(At(2024, 10, 26, 12, 0, Bst), At(2024, 10, 27, 12, 0, Gmt)));
        Assert.Equal(At(2024, 10, 27, 1, 30, Gmt), lateNight.AddBusinessTime(At(2024, 10, 26, 12, 0, Bst), TimeSpan.FromHours(2.5)));
    }

    [Fact]
    public void The_same_policy_counts_differently_for_a_team_in_Tokyo_and_a_team_in_Los_Angeles()
    {
        var tokyo = NineToFive("Asia/Tokyo");
        var losAngeles = NineToFive("America/Los_Angeles");
        var message = new DateTimeOffset(2024, 6, 3, 0, 0, 0, TimeSpan.Zero); // Monday 09:00 in Tokyo, Sunday 17:00 in Los Angeles

        Assert.True(tokyo.IsOpen(message));
        Assert.False(losAngeles.IsOpen(message));
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 4, 0, 0, TimeSpan.Zero), tokyo.AddBusinessTime(message, TimeSpan.FromHours(4)));
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 16, 0, 0, TimeSpan.Zero), losAngeles.NextOpening(message));
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 20, 0, 0, TimeSpan.Zero), losAngeles.AddBusinessTime(message, TimeSpan.FromHours(4)));
    }

    [Fact]
    public void Holidays_are_closed_all_day_and_skipped_by_the_clock()
    {
        // Good Friday and Easter Monday around the spring-forward weekend.
        var london = NineToFive("Europe/London", new DateOnly(2024, 3, 29), new DateOnly(2024, 4, 1));

        Assert.False(london.IsOpen(At(2024, 3, 29, 10, 0, Gmt)));
        Assert.Equal(At(2024, 4, 2, 10, 0, Bst), london.AddBusinessTime(At(2024, 3, 28, 16, 0, Gmt), TimeSpan.FromHours(2)));
        Assert.Equal(At(2024, 4, 2, 9, 0, Bst), london.NextOpening(At(2024, 3, 28, 17, 0, Gmt)));
    }

    [Fact]
    public void A_Christmas_week_in_New_York_counts_only_the_days_the_team_works()
    {
        var newYork = NineToFive("America/New_York", new DateOnly(2024, 12, 25));

        Assert.Equal(TimeSpan.FromHours(32), newYork.BusinessTimeBetween(At(2024, 12, 23, 9, 0, Est), At(2024, 12, 27, 17, 0, Est)));
    }

    [Fact]
    public void Around_the_clock_every_instant_counts()
    {
        var calendar = BusinessCalendar.AroundTheClock;
        var sunday = At(2024, 3, 31, 1, 30, Gmt);

        Assert.True(calendar.IsOpen(sunday));
        Assert.Equal(sunday, calendar.NextOpening(sunday));
        Assert.Equal(sunday.AddHours(50), calendar.AddBusinessTime(sunday, TimeSpan.FromHours(50)));
        Assert.Equal(TimeSpan.FromDays(366), calendar.BusinessTimeBetween(At(2024, 1, 1, 0, 0, Gmt), At(2025, 1, 1, 0, 0, Gmt)));
    }

    [Fact]
    public void Opening_instants_are_open_and_closing_instants_are_not()
    {
        var london = NineToFive("Europe/London");

        Assert.True(london.IsOpen(At(2024, 6, 3, 9, 0, Bst)));
        Assert.False(london.IsOpen(At(2024, 6, 3, 17, 0, Bst)));
        Assert.False(london.IsOpen(At(2024, 6, 8, 12, 0, Bst)));
        Assert.Equal(At(2024, 6, 3, 17, 0, Bst), london.AddBusinessTime(At(2024, 6, 3, 9, 0, Bst), TimeSpan.FromHours(8)));
        Assert.Equal(At(2024, 6, 3, 20, 0, Bst), london.AddBusinessTime(At(2024, 6, 3, 20, 0, Bst), TimeSpan.Zero));
    }

    [Fact]
    public void Several_intervals_a_day_and_a_lunch_break_are_counted()
    {
        var berlin = BusinessCalendar.Create("Europe/Berlin", [
            new WeeklyOpening(DayOfWeek.Monday, new(8, 0), new(12, 0)),
            new WeeklyOpening(DayOfWeek.Monday, new(13, 0), new(17, 0)),
            new WeeklyOpening(DayOfWeek.Monday, new(11, 0), new(12, 30)), // overlaps the morning; merged
        ]);

        Assert.Equal(TimeSpan.FromHours(8.5), berlin.WeeklyOpenTime);
        Assert.False(berlin.IsOpen(new DateTimeOffset(2024, 6, 3, 12, 45, 0, TimeSpan.FromHours(2))));
        Assert.Equal(new DateTimeOffset(2024, 6, 3, 13, 30, 0, TimeSpan.FromHours(2)),
            berlin.AddBusinessTime(new DateTimeOffset(2024, 6, 3, 8, 0, 0, TimeSpan.FromHours(2)), TimeSpan.FromHours(5)));
    }

    [Fact]
    public void A_calendar_that_cannot_work_is_refused_with_reasons()
    {
        var problems = BusinessCalendar.Problems("Mars/Olympus_Mons", [new WeeklyOpening(DayOfWeek.Monday, Five, Nine)]);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("Mars/Olympus_Mons", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Monday 17:00–09:00", StringComparison.Ordinal));
        Assert.Single(BusinessCalendar.Problems("Europe/London", []));
        Assert.Throws<ArgumentException>(() => BusinessCalendar.Create("Europe/London", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => NineToFive("Europe/London").AddBusinessTime(At(2024, 6, 3, 9, 0, Bst), TimeSpan.FromHours(-1)));
    }
}
