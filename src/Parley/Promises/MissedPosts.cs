namespace Parley.Promises;

public enum PostDirection { Inbound, Outbound }

/// <summary>The little the sweep needs to know about a message. Ids are the network's (or Parley's) as text.</summary>
/// <param name="AuthorIsBrand">Written by the brand, whichever way it reached us (an echo of a post made on the
/// network itself comes in as inbound and still answers the customer).</param>
public sealed record PostFact(string MessageId, string ConversationId, PostDirection Direction, DateTimeOffset CreatedAt,
    string? InReplyToId, bool AuthorIsBrand)
{
    /// <summary>A customer's post, which deserves an answer.</summary>
    public bool AwaitsBrand => Direction == PostDirection.Inbound && !AuthorIsBrand;
}

/// <param name="Waiting">How long the customer has waited so far.</param>
/// <param name="Late">How far past the promise that is.</param>
public sealed record MissedPost(PostFact Post, TimeSpan Waiting, TimeSpan Late);

/// <summary>Finds the customer posts nobody answered: late is better than never.</summary>
public static class MissedPosts
{
    /// <summary>Every customer post, however old, with no brand post after it in its conversation (or replying
    /// to it directly, whatever the timestamps say), that has waited longer than <paramref name="answerWithin"/>:
    /// oldest first, since the oldest has waited longest and is most at risk. Every unanswered post is listed,
    /// not only the latest of its conversation, so the queue can show how many went unheard.</summary>
    public static IReadOnlyList<MissedPost> Find(IEnumerable<PostFact> posts, DateTimeOffset now, TimeSpan? answerWithin = null)
    {
        var promise = answerWithin ?? TimeSpan.Zero;
        var all = posts as IReadOnlyCollection<PostFact> ?? [.. posts];
        var lastBrandPost = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var repliedTo = new HashSet<string>(StringComparer.Ordinal);
        foreach (var post in all.Where(p => p.AuthorIsBrand))
        {
            if (!lastBrandPost.TryGetValue(post.ConversationId, out var last) || post.CreatedAt > last)
                lastBrandPost[post.ConversationId] = post.CreatedAt;
            if (post.InReplyToId is { } answered) repliedTo.Add(answered);
        }

        return [.. all
            .Where(p => p.AwaitsBrand && !repliedTo.Contains(p.MessageId))
            .Where(p => !lastBrandPost.TryGetValue(p.ConversationId, out var last) || last <= p.CreatedAt)
            .Select(p => new MissedPost(p, now - p.CreatedAt, now - p.CreatedAt - promise))
            .Where(m => m.Late > TimeSpan.Zero)
            .OrderBy(m => m.Post.CreatedAt)
            .ThenBy(m => m.Post.MessageId, StringComparer.Ordinal)];
    }
}
