using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>The conversation-level reading, as pure functions: messages read together, contacts counted by burst,
/// moderation taken message by message.</summary>
public sealed class ConversationTriageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Conversation = Guid.CreateVersion7();

    private static CustomerPost Post(string text, double minutes, Guid? conversation = null) =>
        new(Guid.CreateVersion7(), conversation ?? Conversation, text, T0.AddMinutes(minutes), PostVisibility.Public);

    private static (ConversationAssessment Assessment, Dictionary<Guid, MessageSignals> Signals) Assess(params CustomerPost[] posts)
    {
        var history = new ConversationHistory(Conversation, "x", posts, [], null, CustomerProfile.Unknown);
        var signals = posts.Where(p => p.ConversationId == Conversation)
            .ToDictionary(p => p.Id, p => MessageSignals.From(ConversationTriage.AnalyzeMessage(p, history, BrandTriageSettings.Default)));
        return (ConversationTriage.Assess(history, BrandTriageSettings.Default, signals), signals);
    }

    [Fact]
    public void A_burst_of_one_thought_is_one_contact_not_repeated_contact()
    {
        var (a, signals) = Assess(Post("my flight", 0), Post("was cancelled", 0.2), Post("what do I do", 0.4));

        Assert.Contains("stranded traveller", a.Priority.Reasons);
        Assert.Equal(1, a.Signals.Customer.ContactsToday);
        Assert.DoesNotContain(a.Priority.Reasons, r => r.EndsWith("contact today", StringComparison.Ordinal));
        Assert.All(signals.Values, s => Assert.DoesNotContain("repeatedContact", s.Urgency));
        Assert.Equal(3, a.BurstSize);
        Assert.Equal(T0.AddMinutes(0.4) + BurstPolicy.Default.Window, a.ReadyAt);
    }

    [Fact]
    public void Earlier_bursts_today_count_as_contacts_and_a_day_old_one_does_not()
    {
        var (a, _) = Assess(Post("hello?", -25 * 60), Post("hello?", -300), Post("anyone?", -60), Post("where is my refund", 0));

        Assert.Equal(3, a.Signals.Customer.ContactsToday);
        Assert.Contains("third contact today", a.Priority.Reasons);
    }

    [Fact]
    public void One_spammy_message_among_several_does_not_make_the_conversation_spam()
    {
        var (mixed, _) = Assess(Post("my order 4471 never arrived", 0), Post("free followers giveaway, click here https://t.co/x", 0.1));
        Assert.False(mixed.Signals.Moderation.Spam);
        Assert.False(mixed.Removed);
        Assert.True(mixed.Priority.Value > 0);

        var (spam, _) = Assess(Post("free followers giveaway, click here https://t.co/x", 0));
        Assert.True(spam.Removed);
        Assert.Equal(["spam"], spam.Priority.Reasons);
    }

    [Fact]
    public void Another_conversation_of_the_customer_is_context_not_part_of_the_reading()
    {
        var elsewhere = Guid.CreateVersion7();
        var (a, _) = Assess(Post("my card was charged twice", -30, elsewhere), Post("when do you open?", 0));

        Assert.Equal(1, a.Signals.MessagesRead);
        Assert.DoesNotContain("moneyLost", a.Signals.Urgency);
        Assert.Equal(2, a.Signals.Customer.ContactsToday);
    }
}
