using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class PostTriageTests
{
    private static readonly string[] Texts =
    [
        "stranded at JFK, flight cancelled!!! 😡",
        "thanks, all sorted 👍",
        "card 4111 1111 1111 1111 charged twice, refund please",
        "is the app down? cannot log in",
        "I know where you live",
        "lovely crew on my flight today :)",
    ];

    [Fact]
    public void The_same_post_gives_the_same_signals_on_any_thread()
    {
        var expected = Texts.Select(t => Summary(Posts.Analyze(t))).ToArray();

        var results = new string[Texts.Length * 200];
        Parallel.For(0, results.Length, i => results[i] = Summary(Posts.Analyze(Texts[i % Texts.Length])));

        for (var i = 0; i < results.Length; i++) Assert.Equal(expected[i % Texts.Length], results[i]);
    }

    [Fact]
    public void A_post_without_text_gets_neutral_signals()
    {
        var result = Posts.Analyze("");

        Assert.Equal(Intent.Other, result.Intent.Primary);
        Assert.Empty(result.Urgency.Cues);
        Assert.False(result.SensitiveData.Any);
        Assert.False(result.Moderation.Remove);
        Assert.Equal("", result.MaskedText);
    }

    [Fact]
    public void Analysis_reads_the_time_it_is_given_not_the_clock()
    {
        var input = Posts.Public("any update?") with { RecentMessages = [new("where is my parcel", Posts.Now.AddHours(-1)), new("hello?", Posts.Now.AddMinutes(-30))] };

        Assert.Contains(UrgencyCue.RepeatedContact, Posts.Analyze(input).Urgency.Cues);
        Assert.DoesNotContain(UrgencyCue.RepeatedContact, Posts.Analyze(input with { Now = Posts.Now.AddDays(3) }).Urgency.Cues);
    }

    private static string Summary(TriageResult r) =>
        $"{r.Sentiment.Label}/{r.Sentiment.Score:0.0000}/{r.Intent.Primary}/{string.Join(',', r.Urgency.Cues)}/{r.SensitiveData.Matches.Count}/{r.Moderation.Abusive}/{r.MaskedText}";
}
