using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class PriorityTests
{
    [Fact]
    public void Reasons_explain_the_score_largest_first()
    {
        var triage = Posts.Analyze("my flight was cancelled and I'm stranded in Denver, this is awful");
        var customer = new CustomerContext { Followers = 48_000, ContactsToday = 3 };

        var priority = Priority.Score(triage, customer, PriorityWeights.Default);

        Assert.Equal("stranded traveller", priority.Reasons[0]);
        Assert.Contains(priority.Reasons, r => r is "negative" or "very negative");
        Assert.Contains("48k followers", priority.Reasons);
        Assert.Contains("third contact today", priority.Reasons);
        Assert.InRange(priority.Value, 60, 100);
    }

    [Fact]
    public void A_stranded_traveller_comes_before_a_question_about_opening_hours()
    {
        var stranded = Priority.Score(Posts.Analyze("stranded at the airport, flight cancelled"), new CustomerContext(), PriorityWeights.Default);
        var question = Priority.Score(Posts.Analyze("what time do you open on Sunday?"), new CustomerContext(), PriorityWeights.Default);

        Assert.True(stranded.Value > question.Value);
        Assert.Empty(question.Reasons);
    }

    [Theory]
    [InlineData(500, null)]
    [InlineData(48_000, "48k followers")]
    [InlineData(1_200_000, "1.2M followers")]
    public void Reach_counts_from_a_thousand_followers(long followers, string? reason)
    {
        var priority = Priority.Score(Posts.Analyze("where is my parcel"), new CustomerContext { Followers = followers }, PriorityWeights.Default);

        if (reason is null) Assert.DoesNotContain(priority.Reasons, r => r.EndsWith("followers", StringComparison.Ordinal));
        else Assert.Contains(reason, priority.Reasons);
    }

    [Fact]
    public void Spam_gets_no_priority()
    {
        var priority = Priority.Score(Posts.Analyze("free followers giveaway, click here https://t.co/x"), new CustomerContext { Followers = 2_000_000 }, PriorityWeights.Default);

        Assert.Equal(0, priority.Value);
        Assert.Equal(["spam"], priority.Reasons);
    }

    [Fact]
    public void The_score_stays_between_0_and_100()
    {
        var everything = Posts.Analyze("EMERGENCY stranded, my flight cancelled, you charged me twice, app is down, need help NOW!!!");
        var customer = new CustomerContext { Followers = 10_000_000, Verified = true, ContactsToday = 9, LastConversationUnresolved = true, Value = 50_000 };

        Assert.Equal(100, Priority.Score(everything, customer, PriorityWeights.Default).Value);
    }

    private static readonly (string Text, CustomerContext Customer)[] Inbox =
    [
        ("my internet is down again", new CustomerContext { Followers = 2_500 }),
        ("smoke came out of the charger, is it safe?", new CustomerContext()),
        ("you charged me twice for one order", new CustomerContext()),
        ("do you have the blue one in stock?", new CustomerContext { Followers = 900_000, Verified = true }),
    ];

    private static List<string> Order(PriorityWeights weights, TriageRules rules) =>
        [.. Inbox.Select(p => (p.Text, Score: Priority.Score(Posts.Analyze(p.Text, rules), p.Customer, weights).Value))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Text, StringComparer.Ordinal).Select(p => p.Text)];

    [Fact]
    public void Changing_a_brands_weights_re_ranks_the_inbox()
    {
        var before = Order(PriorityWeights.Default, TriageRules.Default);
        var reachFirst = PriorityWeights.Default with { Reach = 60, Verified = 20, Safety = 5, MoneyLost = 5 };

        var after = Order(reachFirst, TriageRules.Default);

        Assert.Equal("smoke came out of the charger, is it safe?", before[0]);
        Assert.Equal("do you have the blue one in stock?", after[0]);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void A_brand_topic_with_a_boost_moves_its_posts_up_the_inbox()
    {
        var recall = new TriageRules { Topics = [new TopicRule("Stock", ["in stock", "blue one"], PriorityBoost: 60)] };

        var before = Order(PriorityWeights.Default, TriageRules.Default);
        var after = Order(PriorityWeights.Default, recall);

        Assert.NotEqual("do you have the blue one in stock?", before[0]);
        Assert.Equal("do you have the blue one in stock?", after[0]);
        Assert.Contains("topic: Stock", Priority.Score(Posts.Analyze(Inbox[3].Text, recall), Inbox[3].Customer, PriorityWeights.Default).Reasons);
    }
}
