namespace Parley.Simulator;

/// <summary>One row of the Customer Support on Twitter (TWCS) dataset. Brands are named
/// (<c>sprintcare</c>); customers were anonymised to numbers.</summary>
public sealed record TwcsTweet(
    long TweetId, string AuthorId, bool Inbound, DateTimeOffset CreatedAt, string Text,
    IReadOnlyList<long> ResponseTweetIds, long? InResponseToTweetId)
{
    public bool ByBrand => !AuthorId.All(char.IsAsciiDigit);
}

/// <summary>A conversation: tweets linked by <c>in_response_to_tweet_id</c>, oldest first (a reply never
/// before what it answers).</summary>
public sealed record TwcsThread(IReadOnlyList<TwcsTweet> Tweets)
{
    public DateTimeOffset StartedAt => Tweets[0].CreatedAt;

    /// <summary>The brand answering in this thread, if one does.</summary>
    public string? Brand => Tweets.FirstOrDefault(t => t.ByBrand)?.AuthorId;
}
