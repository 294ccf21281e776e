using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class ModerationTests
{
    [Fact]
    public void Insults_aimed_at_the_agent_are_abusive()
    {
        var moderation = Posts.Analyze("you are a useless idiot, shut up").Moderation;

        Assert.True(moderation.Abusive);
        Assert.Contains("insult", moderation.Reasons);
    }

    [Fact]
    public void An_angry_but_civil_complaint_is_not_abusive()
    {
        Assert.False(Posts.Analyze("I am very disappointed, my parcel is late again").Moderation.Abusive);
    }

    [Fact]
    public void Threats_are_flagged_and_removed_by_default()
    {
        var moderation = Posts.Analyze("I know where you live, watch your back").Moderation;

        Assert.True(moderation.Threat);
        Assert.True(moderation.Remove);
    }

    [Fact]
    public void Promotion_with_a_link_is_spam()
    {
        var moderation = Posts.Analyze("make money from home with crypto, click here https://t.co/abc").Moderation;

        Assert.True(moderation.Spam);
        Assert.True(moderation.Remove);
    }

    [Fact]
    public void A_brand_can_add_its_own_spam_and_blocked_terms()
    {
        var rules = new TriageRules { Removal = new RemovalRules { SpamTerms = ["cheap flights club"], BlockedTerms = ["clown airline"], RemoveAbuse = true } };

        Assert.True(Posts.Analyze("join cheap flights club", rules).Moderation.Spam);
        var blocked = Posts.Analyze("what a clown airline", rules).Moderation;
        Assert.True(blocked.Abusive);
        Assert.True(blocked.Remove);
        Assert.False(Posts.Analyze("what a clown airline").Moderation.Remove);
    }

    [Fact]
    public void Thanks_after_a_resolution_needs_no_reply()
    {
        var input = Posts.Public("@AmazonHelp thanks! 👍") with { ResolvedAt = Posts.Now.AddHours(-2) };

        var moderation = Posts.Analyze(input).Moderation;

        Assert.True(moderation.NoReplyNeeded);
        Assert.Contains("acknowledgement after resolution", moderation.Reasons);
        Assert.Equal(0, Priority.Score(Posts.Analyze(input), new CustomerContext(), PriorityWeights.Default).Value);
    }

    [Fact]
    public void Thanks_with_a_new_question_still_needs_a_reply()
    {
        var input = Posts.Public("thanks! but when will the refund arrive?") with { ResolvedAt = Posts.Now.AddHours(-2) };

        Assert.False(Posts.Analyze(input).Moderation.NoReplyNeeded);
    }

    [Fact]
    public void Thanks_with_nothing_resolved_or_answered_needs_a_reply()
    {
        Assert.False(Posts.Analyze("thanks!").Moderation.NoReplyNeeded);
    }

    [Fact]
    public void A_share_without_comment_needs_no_reply()
    {
        Assert.True(Posts.Analyze(Posts.Public("our new lounge is open") with { IsShareWithoutComment = true }).Moderation.NoReplyNeeded);
        Assert.True(Posts.Analyze("RT @Delta: our new lounge is open").Moderation.NoReplyNeeded);
    }
}
