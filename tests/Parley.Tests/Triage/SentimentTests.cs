using Parley.Triage;

namespace Parley.Tests.Triage;

public sealed class SentimentTests
{
    [Theory]
    [InlineData("The new app is good")]
    [InlineData("I like the new seats")]
    [InlineData("This update is helpful")]
    public void Negation_flips_a_positive_post_to_negative(string positive)
    {
        var negated = positive.Replace(" is ", " is not ", StringComparison.Ordinal).Replace("I like", "I don't like", StringComparison.Ordinal);

        Assert.Equal(SentimentLabel.Positive, Posts.Sentiment(positive).Label);
        Assert.Equal(SentimentLabel.Negative, Posts.Sentiment(negated).Label);
        Assert.True(Posts.Lexicon(negated).NegatedWords > 0);
    }

    [Fact]
    public void Negation_of_a_negative_word_softens_it()
    {
        Assert.True(Posts.Lexicon("the service was not bad").Compound > Posts.Lexicon("the service was bad").Compound);
    }

    [Fact]
    public void Negation_ends_at_the_end_of_the_clause()
    {
        // "good" sits after the full stop, outside the scope of "not".
        Assert.Equal(0, Posts.Lexicon("I did not call. The agent was good").NegatedWords);
    }

    [Fact]
    public void Intensifiers_capitals_elongation_and_exclamation_marks_strengthen_sentiment()
    {
        var plain = Posts.Lexicon("the delay is bad").Compound;

        Assert.True(Posts.Lexicon("the delay is very bad").Compound < plain);
        Assert.True(Posts.Lexicon("the delay is BAD").Compound < plain);
        Assert.True(Posts.Lexicon("the delay is baaaad").Compound < plain);
        Assert.True(Posts.Lexicon("the delay is bad!!!").Compound < plain);
        Assert.True(Posts.Lexicon("the delay is slightly bad").Compound > plain);
    }

    [Fact]
    public void A_post_in_capitals_throughout_is_not_read_as_emphasis_word_by_word()
    {
        Assert.Equal(Posts.Lexicon("the delay is bad").Compound, Posts.Lexicon("THE DELAY IS BAD").Compound, 3);
    }

    [Theory]
    [InlineData("😍", 1)]
    [InlineData("❤️❤️", 1)]
    [InlineData(":)", 1)]
    [InlineData(":-D", 1)]
    [InlineData("😡", -1)]
    [InlineData("😞", -1)]
    [InlineData(":(", -1)]
    [InlineData("👎🏽", -1)]
    public void Emoji_and_emoticons_move_sentiment_their_way(string face, int direction)
    {
        const string plain = "got the email about my order";
        var before = Posts.Sentiment(plain);
        var after = Posts.Sentiment($"{plain} {face}");

        Assert.Equal(SentimentLabel.Neutral, before.Label);
        Assert.True((after.Score - before.Score) * direction > 0.25f, $"{face}: {before.Score} -> {after.Score}");
        Assert.NotEqual(direction > 0 ? SentimentLabel.Negative : SentimentLabel.Positive, after.Label);
    }

    [Theory]
    [InlineData("got the email about my order ❤️❤️", SentimentLabel.Positive)]
    [InlineData("got the email about my order 😡", SentimentLabel.Negative)]
    public void Strong_emoji_and_emoticons_decide_the_label_of_a_neutral_post(string text, SentimentLabel expected)
    {
        Assert.Equal(expected, Posts.Sentiment(text).Label);
    }

    [Fact]
    public void Emoji_with_skin_tones_and_joiners_are_one_token()
    {
        var tokens = SocialTokenizer.Tokenize("ok 🤦🏻‍♀️ 👍🏽");
        Assert.Equal(["ok", "🤦", "👍"], tokens.Select(t => t.Text));
        Assert.Equal(TokenKind.Emoji, tokens[1].Kind);
    }

    [Fact]
    public void A_plain_statement_is_neutral()
    {
        Assert.Equal(SentimentLabel.Neutral, Posts.Sentiment("The store opens at 9am on Monday").Label);
    }

    [Fact]
    public void Score_runs_from_negative_to_positive()
    {
        var bad = Posts.Sentiment("worst airline ever, lost my bag and nobody cares");
        var good = Posts.Sentiment("thank you so much, the crew was amazing!");

        Assert.InRange(bad.Score, -1f, -0.3f);
        Assert.InRange(good.Score, 0.3f, 1f);
    }

    [Fact]
    public void Html_escaped_text_from_x_reads_like_the_characters_it_stands_for()
    {
        var tokens = SocialTokenizer.Tokenize("fish &amp; chips");
        Assert.Equal(["fish", "&", "chips"], tokens.Select(t => t.Text));
    }
}
