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
}
