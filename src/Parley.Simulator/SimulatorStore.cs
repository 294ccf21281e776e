namespace Parley.Simulator;

internal sealed record StoredTweet(
    string Id, string Text, string AuthorId, DateTimeOffset CreatedAt, string? InReplyToId, string? InReplyToUserId, string ConversationId);

internal sealed record StoredDm(string Id, string ConversationId, string SenderId, string Text, DateTimeOffset CreatedAt);

internal sealed record StoredMention(string AccountId, SimTweet Tweet, string ConversationId, string? InReplyToUserId);

/// <summary>A message the page sent with the Send API.</summary>
internal sealed record StoredPageMessage(string Mid, string ConversationId, string PageId, string RecipientId, string Text, DateTimeOffset CreatedAt);

/// <summary>A reply the page posted under a Facebook comment (<c>comments</c>) or an Instagram comment (<c>replies</c>).</summary>
internal sealed record StoredComment(string Id, string ParentId, string Edge, string Message, string FromId, string FromName, DateTimeOffset CreatedAt);

/// <summary>Everything the simulated networks hold, in memory, behind one lock (traffic is tiny).</summary>
internal sealed class SimulatorStore(TimeProvider clock)
{
    public const string DefaultAccount = "0";

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> xAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> metaPages = new(StringComparer.Ordinal);
    private readonly List<StoredTweet> tweets = [];
    private readonly List<StoredDm> dms = [];
    private readonly List<StoredMention> mentions = [];
    private readonly List<StoredPageMessage> pageMessages = [];
    private readonly List<StoredComment> comments = [];
    private readonly Dictionary<(string Page, string User), string> threadIds = [];

    public IdSource Ids { get; } = new(clock);

    public void RegisterXAccount(string token, string accountId) { lock (gate) xAccounts[token] = accountId; }

    public void RegisterMetaPage(string token, string pageId) { lock (gate) metaPages[token] = pageId; }

    public string XAccountFor(string token) { lock (gate) return xAccounts.GetValueOrDefault(token, DefaultAccount); }

    public string MetaPageFor(string token) { lock (gate) return metaPages.GetValueOrDefault(token, DefaultAccount); }

    public StoredTweet CreateTweet(string authorId, string text, string? inReplyToId)
    {
        lock (gate)
        {
            var id = Ids.NextSnowflake();
            var (conversation, parentAuthor) = inReplyToId is null ? (id, null) : ParentOf(inReplyToId);
            var tweet = new StoredTweet(id, text, authorId, clock.GetUtcNow(), inReplyToId, parentAuthor, conversation);
            tweets.Add(tweet);
            return tweet;
        }
    }

    /// <summary>Tweets created through <c>POST /2/tweets</c> by <paramref name="authorId"/>, newest first.</summary>
    public IReadOnlyList<StoredTweet> TweetsBy(string authorId)
    {
        lock (gate) return [.. tweets.Where(t => t.AuthorId == authorId).OrderByDescending(t => t.Id, IdOrder)];
    }

    public StoredDm CreateDm(string senderId, string participantId, string text)
    {
        lock (gate)
        {
            var dm = new StoredDm(Ids.NextSnowflake(), DmConversationId(senderId, participantId), senderId, text, clock.GetUtcNow());
            dms.Add(dm);
            return dm;
        }
    }

    public IReadOnlyList<StoredDm> DmsIn(string conversationId)
    {
        lock (gate) return [.. dms.Where(d => d.ConversationId == conversationId).OrderByDescending(d => d.Id, IdOrder)];
    }

    /// <summary>X names a one-to-one conversation by both user ids, smaller first.</summary>
    public static string DmConversationId(string a, string b) => NumericIds.Compare(a, b) <= 0 ? $"{a}-{b}" : $"{b}-{a}";

    public void QueueMention(string accountId, SimTweet tweet)
    {
        lock (gate)
        {
            var (conversation, parentAuthor) = tweet.InReplyToId is null ? (tweet.Id, null) : ParentOf(tweet.InReplyToId);
            mentions.Add(new StoredMention(accountId, tweet, tweet.ConversationId ?? conversation, parentAuthor));
        }
    }

    /// <summary>Mentions of <paramref name="accountId"/>, newest first.</summary>
    public IReadOnlyList<StoredMention> MentionsOf(string accountId)
    {
        lock (gate) return [.. mentions.Where(m => m.AccountId == accountId).OrderByDescending(m => m.Tweet.Id, IdOrder)];
    }

    public StoredPageMessage AddPageMessage(string pageId, string recipientId, string text)
    {
        lock (gate)
        {
            if (!threadIds.TryGetValue((pageId, recipientId), out var thread))
                threadIds[(pageId, recipientId)] = thread = "t_" + Ids.NextGraphId();
            var message = new StoredPageMessage("m_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48))
                .Replace('+', '-').Replace('/', '_').TrimEnd('='), thread, pageId, recipientId, text, clock.GetUtcNow());
            pageMessages.Add(message);
            return message;
        }
    }

    /// <summary>The page's conversations (optionally with one user), each with its messages newest first.</summary>
    public IReadOnlyList<IGrouping<string, StoredPageMessage>> PageConversations(string pageId, string? userId)
    {
        lock (gate)
        {
            return [.. pageMessages
                .Where(m => m.PageId == pageId && (userId is null || m.RecipientId == userId))
                .OrderByDescending(m => m.CreatedAt)
                .GroupBy(m => m.ConversationId)];
        }
    }

    public StoredComment AddComment(string parentId, string edge, string message, string fromId, string fromName)
    {
        lock (gate)
        {
            // Facebook comment ids are "<post>_<comment>": a reply keeps the post part. Instagram ids are plain numbers.
            var number = Ids.NextGraphId();
            var id = edge == "replies" ? number : $"{PostPart(parentId)}_{number}";
            var comment = new StoredComment(id, parentId, edge, message, fromId, fromName, clock.GetUtcNow());
            comments.Add(comment);
            return comment;
        }
    }

    public IReadOnlyList<StoredComment> CommentsUnder(string parentId, string edge)
    {
        lock (gate) return [.. comments.Where(c => c.ParentId == parentId && c.Edge == edge).OrderBy(c => c.CreatedAt)];
    }

    public void Clear()
    {
        lock (gate)
        {
            tweets.Clear();
            dms.Clear();
            mentions.Clear();
            pageMessages.Clear();
            comments.Clear();
            threadIds.Clear();
        }
    }

    // A post id is "<page>_<post>", a comment id "<post>_<comment>"; the first part names the page only for posts.
    private string PostPart(string objectId)
    {
        var cut = objectId.IndexOf('_', StringComparison.Ordinal);
        if (cut < 0) return objectId;
        var first = objectId[..cut];
        return metaPages.ContainsValue(first) ? objectId[(cut + 1)..] : first;
    }

    private (string Conversation, string? Author) ParentOf(string parentId)
    {
        if (tweets.Find(t => t.Id == parentId) is { } tweet) return (tweet.ConversationId, tweet.AuthorId);
        if (mentions.Find(m => m.Tweet.Id == parentId) is { } mention) return (mention.ConversationId, mention.Tweet.AuthorId);
        return (parentId, null);
    }

    private static readonly Comparer<string> IdOrder = Comparer<string>.Create(NumericIds.Compare);
}
