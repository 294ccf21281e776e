using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class UrgencyTests
{
    [Theory]
    [InlineData("stranded at JFK, my flight was cancelled and no hotel", UrgencyCue.Stranded)]
    [InlineData("@Delta missed my connection in ATL, what now", UrgencyCue.Stranded)]
    [InlineData("my flight is tomorrow morning and I still have no seat", UrgencyCue.TravellingSoon)]
    [InlineData("you charged me twice for the same order", UrgencyCue.MoneyLost)]
    [InlineData("unauthorized transaction on my account", UrgencyCue.MoneyLost)]
    [InlineData("internet is down again in Leeds", UrgencyCue.ServiceDown)]
    [InlineData("the app is not working for anyone", UrgencyCue.ServiceDown)]
    [InlineData("I need this fixed today", UrgencyCue.TimePressure)]
    [InlineData("please call me ASAP", UrgencyCue.TimePressure)]
    [InlineData("HELP NOW my card is blocked", UrgencyCue.TimePressure)]
    [InlineData("the charger caught fire in my kitchen", UrgencyCue.Safety)]
    [InlineData("still waiting for an answer, third time asking", UrgencyCue.RepeatedContact)]
    public void Urgency_cues_are_found_in_the_text(string text, UrgencyCue cue)
    {
        var urgency = Posts.Analyze(text).Urgency;

        Assert.Contains(cue, urgency.Cues);
        Assert.True(urgency.Level > 0);
        Assert.NotEmpty(urgency.Evidence);
    }

    [Theory]
    [InlineData("WHY IS MY ORDER STILL NOT HERE, this is ridiculous")]
    [InlineData("fix your shit, the worst support ever")]
    [InlineData("terrible service!!! never again!!")]
    public void Shouting_or_swearing_about_a_bad_experience_is_anger(string text)
    {
        Assert.Contains(UrgencyCue.Anger, Posts.Analyze(text).Urgency.Cues);
    }

    [Theory]
    [InlineData("flying JFK to LAX on Friday, can I bring my dog?")]
    [InlineData("LOVE THE NEW APP!!!")]
    public void Capitals_without_a_grievance_are_not_anger(string text)
    {
        Assert.DoesNotContain(UrgencyCue.Anger, Posts.Analyze(text).Urgency.Cues);
    }

    [Fact]
    public void A_calm_question_has_no_urgency()
    {
        var urgency = Posts.Analyze("do you ship to Canada?").Urgency;

        Assert.Empty(urgency.Cues);
        Assert.Equal(0f, urgency.Level);
    }

    [Fact]
    public void Safety_outranks_time_pressure()
    {
        Assert.True(Posts.Analyze("smoke coming out of the oven").Urgency.Level > Posts.Analyze("need it today").Urgency.Level);
    }

    [Fact]
    public void Several_recent_messages_mean_repeated_contact()
    {
        var input = Posts.Public("hello?") with
        {
            RecentMessages = [new("where is my parcel", Posts.Now.AddHours(-5)), new("any news?", Posts.Now.AddHours(-1))],
        };

        Assert.Contains(UrgencyCue.RepeatedContact, Posts.Analyze(input).Urgency.Cues);
    }

    [Fact]
    public void Messages_older_than_two_days_do_not_count_as_repeated_contact()
    {
        var input = Posts.Public("hello?") with
        {
            RecentMessages = [new("where is my parcel", Posts.Now.AddDays(-5)), new("any news?", Posts.Now.AddDays(-4))],
        };

        Assert.DoesNotContain(UrgencyCue.RepeatedContact, Posts.Analyze(input).Urgency.Cues);
    }

    [Fact]
    public void A_tone_that_turns_angry_across_messages_is_escalating()
    {
        var history = new RecentMessage[] { new("hi, my parcel has not arrived yet, could you check?", Posts.Now.AddHours(-3)) };
        var calm = Posts.Public("hi, any update on my parcel?") with { RecentMessages = history };
        var angry = Posts.Public("this is ridiculous, worst service ever, where is my parcel") with { RecentMessages = history };

        Assert.DoesNotContain(UrgencyCue.EscalatingTone, Posts.Analyze(calm).Urgency.Cues);
        Assert.Contains(UrgencyCue.EscalatingTone, Posts.Analyze(angry).Urgency.Cues);
    }

    [Fact]
    public void Starting_to_shout_is_escalating()
    {
        var history = new RecentMessage[] { new("my parcel is late", Posts.Now.AddMinutes(-30)) };
        var shouting = Posts.Public("WHERE IS MY PARCEL!!!") with { RecentMessages = history };

        Assert.Contains(UrgencyCue.EscalatingTone, Posts.Analyze(shouting).Urgency.Cues);
    }
}
