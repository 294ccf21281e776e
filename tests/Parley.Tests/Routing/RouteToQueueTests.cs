using Parley.Routing;

namespace Parley.Tests.Routing;

public sealed class RouteToQueueTests
{
    private static readonly Guid Brand = Guid.NewGuid(), Billing = Guid.NewGuid(), Spanish = Guid.NewGuid(), Urgent = Guid.NewGuid();

    private static readonly RoutingRule[] Rules =
    [
        new(1, Urgent, MinPriority: 80),
        new(2, Spanish, Language: "es"),
        new(3, Billing, BrandId: Brand, Keywords: ["refund", "invoice", "charged"]),
    ];

    [Theory]
    [InlineData("I was charged twice!", "en", 10, "billing")]
    [InlineData("Where is my #refund", "en", 10, "billing")]
    [InlineData("mi vuelo fue cancelado", "es", 10, "spanish")]
    [InlineData("I was charged twice and I'm stranded", "en", 95, "urgent")]
    public void The_first_matching_rule_decides_the_queue(string text, string language, int priority, string expected)
    {
        var routed = RouteToQueue.For(new RoutingFacts(Brand, "x", language, text, priority), Rules);
        var team = expected switch { "billing" => Billing, "spanish" => Spanish, _ => Urgent };
        Assert.Equal(team, routed?.TeamId);
    }

    [Fact]
    public void A_keyword_inside_another_word_does_not_match_and_nothing_matching_goes_to_the_general_queue()
    {
        Assert.Null(RouteToQueue.For(new RoutingFacts(Brand, "x", "en", "my uninvoiceable order", 10), Rules));
        Assert.Null(RouteToQueue.For(new RoutingFacts(Brand, "x", "en", "the refunded-items page is slow", 10), Rules));
        Assert.Null(RouteToQueue.For(new RoutingFacts(Guid.NewGuid(), "x", "en", "refund please", 10), Rules));
    }
}
