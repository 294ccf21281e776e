using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>The stored form of signals: compact, and read back whole.</summary>
public sealed class StoredSignalsFormTests
{
    [Fact]
    public void Defaults_are_left_out_when_stored_and_come_back_as_empty_lists_not_nulls()
    {
        var signals = MessageSignals.From(Posts.Analyze("hello there"));
        var json = StoredSignals.Write(signals);

        Assert.DoesNotContain("topics", json, StringComparison.Ordinal);
        Assert.DoesNotContain("false", json, StringComparison.Ordinal);
        var back = StoredSignals.Read<MessageSignals>(json)!;
        Assert.NotNull(back.Topics);
        Assert.Empty(back.Sensitive);
        Assert.Empty(back.Urgency);
        Assert.NotNull(back.Moderation.Reasons);
        Assert.Equal(signals.Sentiment, back.Sentiment);
    }

    [Fact]
    public void A_column_that_cannot_be_read_is_no_signals_rather_than_a_failure()
    {
        Assert.Null(StoredSignals.Read<MessageSignals>("{not json"));
        Assert.Empty(StoredSignals.ReadReasons(""));
    }

    /// <summary>Stored by main before ADR 32 for "my card 4111 1111 1111 1111 was charged twice!!" in public: the same
    /// text comes out today, byte for byte, and the old text reads back into signals that write it again.</summary>
    private const string StoredBefore =
        """{"sentiment":{"label":"negative","score":-0.457,"confidence":0.634},"intents":[{"intent":"billing","confidence":0.853},{"intent":"complaint","confidence":0.398}],"urgency":["moneyLost","anger"],"urgencyEvidence":["\u0022charged twice\u0022","shouting"],"sensitive":[{"kind":"cardNumber","start":8,"length":19}],"moderation":{"abuseScore":0.329},"suggestPrivateChannel":true}""";

    private const string ConversationStoredBefore =
        """{"sentiment":{"label":"negative","score":-0.457,"confidence":0.634},"intents":[{"intent":"billing","confidence":0.853},{"intent":"complaint","confidence":0.398}],"urgency":["moneyLost","anger"],"urgencyEvidence":["\u0022charged twice\u0022","shouting"],"sensitiveKinds":["cardNumber"],"moderation":{"abuseScore":0.329},"suggestPrivateChannel":true,"messagesRead":1,"customer":{"followers":575,"contactsToday":1}}""";

    [Fact]
    public void Signals_are_stored_as_the_same_text_as_before_and_old_text_reads_back_whole()
    {
        var result = PostTriage.Analyze(new TriageInput("my card 4111 1111 1111 1111 was charged twice!!", PostVisibility.Public, "x",
            DateTimeOffset.UtcNow), TriageRules.Default);
        Assert.Equal(StoredBefore, StoredSignals.Write(MessageSignals.From(result)));

        var read = StoredSignals.Read<MessageSignals>(StoredBefore)!;
        Assert.Equal("cardNumber", Assert.Single(read.Sensitive).Kind);
        Assert.Equal(["moneyLost", "anger"], read.Urgency);
        Assert.Equal(StoredBefore, StoredSignals.Write(read));

        var conversation = StoredSignals.Read<ConversationSignals>(ConversationStoredBefore)!;
        Assert.Equal(575, conversation.Customer.Followers);
        Assert.Equal(ConversationStoredBefore, StoredSignals.Write(conversation));
    }
}
