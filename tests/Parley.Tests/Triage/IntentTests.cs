using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class IntentTests
{
    [Theory]
    [InlineData("I want a refund for the cancelled ticket", Intent.Refund)]
    [InlineData("my parcel still hasn't arrived, tracking says out for delivery", Intent.Delivery)]
    [InlineData("is the app down? it keeps crashing", Intent.Outage)]
    [InlineData("I can't log in, password reset email never comes", Intent.AccountAccess)]
    [InlineData("why is my invoice higher this month", Intent.Billing)]
    [InlineData("how do I cancel my subscription", Intent.Cancellation)]
    [InlineData("thank you so much, the crew was brilliant", Intent.Praise)]
    [InlineData("worst experience ever, totally unacceptable", Intent.Complaint)]
    [InlineData("do you open on Sundays?", Intent.Question)]
    [InlineData("can I speak to a real person please", Intent.ContactRequest)]
    public void The_primary_intent_says_what_the_customer_wants(string text, Intent expected)
    {
        var intent = Posts.Analyze(text).Intent;

        Assert.Equal(expected, intent.Primary);
        Assert.InRange(intent.Confidence, 0.3f, 1f);
    }

    [Fact]
    public void A_post_can_have_several_intents()
    {
        var intent = Posts.Analyze("you charged me twice and I want my money back, this is ridiculous").Intent;

        Assert.True(intent.Has(Intent.Refund));
        Assert.True(intent.Has(Intent.Complaint));
    }

    [Fact]
    public void Sarcastic_thanks_is_not_praise()
    {
        Assert.NotEqual(Intent.Praise, Posts.Analyze("thanks for nothing, terrible service, lost my bag again").Intent.Primary);
    }

    [Fact]
    public void Brand_topics_are_found_by_keyword_and_by_example()
    {
        var rules = new TriageRules
        {
            Topics =
            [
                new TopicRule("Lost luggage", ["lost bag*", "baggage claim"]),
                new TopicRule("Wifi", ["wifi", "wi-fi"], ["the internet on board does not connect"]),
            ],
        };

        Assert.Equal(["Lost luggage"], Posts.Analyze("still at baggage claim, no sign of my suitcase", rules).Topics.Select(t => t.Topic));
        var byExample = Assert.Single(Posts.Analyze("internet on board doesn't connect at all", rules).Topics);
        Assert.Equal("Wifi", byExample.Topic);
        Assert.Equal("like an example", byExample.Evidence);
    }
}
