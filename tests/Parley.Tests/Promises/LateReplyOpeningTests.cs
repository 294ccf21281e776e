using Parley.Promises;

namespace Parley.Tests.Promises;

public sealed class LateReplyOpeningTests
{
    [Fact]
    public void A_reply_three_days_late_apologises_for_three_days_and_gives_the_reason()
    {
        var draft = LateReplyOpening.Compose(BrandVoice.Default, TimeSpan.FromDays(3) + TimeSpan.FromHours(2), "Dana",
            "our team missed your message over the weekend.");

        Assert.Equal("Hi Dana, we're sorry for taking 3 days to get back to you – our team missed your message over the weekend.", draft.Text);
        Assert.False(draft.NeedsReason);
    }

    [Fact]
    public void Without_a_reason_the_opening_keeps_a_slot_for_the_agent_to_fill()
    {
        var draft = LateReplyOpening.Compose(BrandVoice.Default, TimeSpan.FromHours(5), null);

        Assert.Equal("Hi there, thanks for bearing with us – we're sorry it took 5 hours to reply: {reason}.", draft.Text);
        Assert.True(draft.NeedsReason);
    }

    [Fact]
    public void The_brand_voice_chooses_the_template_for_how_late_the_reply_is()
    {
        var voice = new BrandVoice([
            new(TimeSpan.Zero, "Hey {customerName}! Sorry for the {delay} wait – {reason}."),
            new(TimeSpan.FromDays(2), "Dear {customerName}, please accept our apologies for the {delay} delay: {reason}."),
        ], NameWhenUnknown: "friend");

        Assert.Equal("Hey friend! Sorry for the 20 minutes wait – {reason}.", LateReplyOpening.Compose(voice, TimeSpan.FromMinutes(20), " ").Text);
        Assert.Equal("Dear Sam, please accept our apologies for the 2 weeks delay: a system outage.",
            LateReplyOpening.Compose(voice, TimeSpan.FromDays(15), "Sam", "a system outage").Text);
    }

    [Theory]
    [InlineData(0, 0, 20, "a moment")]
    [InlineData(0, 0, 60, "a minute")]
    [InlineData(0, 45, 0, "45 minutes")]
    [InlineData(0, 59, 40, "an hour")]
    [InlineData(3, 10, 0, "3 hours")]
    [InlineData(23, 40, 0, "a day")]
    [InlineData(50, 0, 0, "2 days")]
    [InlineData(13 * 24 + 14, 0, 0, "2 weeks")]
    [InlineData(45 * 24, 0, 0, "6 weeks")]
    [InlineData(100 * 24, 0, 0, "3 months")]
    [InlineData(400 * 24, 0, 0, "a year")]
    [InlineData(800 * 24, 0, 0, "2 years")]
    public void Durations_read_as_a_person_would_say_them(int hours, int minutes, int seconds, string expected) =>
        Assert.Equal(expected, LateReplyOpening.Describe(new TimeSpan(hours, minutes, seconds)));
}
