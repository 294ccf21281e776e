namespace Parley.Triage;

/// <summary>One of the customer's messages to the brand, as conversation triage reads it.</summary>
public sealed record CustomerPost(Guid Id, Guid ConversationId, string Text, DateTimeOffset At, PostVisibility Visibility);

/// <summary>What is known about the customer beyond their messages: reach from the networks, history from
/// earlier conversations, value from the brand's own apps.</summary>
public sealed record CustomerProfile(long Followers, bool Verified, int PreviousConversations, bool LastConversationUnresolved, decimal? Value)
{
    public static readonly CustomerProfile Unknown = new(0, false, 0, false, null);
}

/// <summary>Everything conversation triage reads, loaded by the caller.</summary>
/// <param name="CustomerPosts">The customer's recent messages to the brand in any of their conversations (this
/// one's included), any order. Forty-eight hours before the latest are enough for every signal.</param>
/// <param name="BrandReplies">When the brand wrote in this conversation.</param>
/// <param name="ResolvedAt">When the conversation was resolved, if it is.</param>
public sealed record ConversationHistory(Guid ConversationId, string Network, IReadOnlyList<CustomerPost> CustomerPosts,
    IReadOnlyList<DateTimeOffset> BrandReplies, DateTimeOffset? ResolvedAt, CustomerProfile Customer);

/// <summary>The conversation's priority, its signals, whether the brand's rules take it out of the inbox, and
/// its current burst: when it began, when it is ready (the patience window), how many messages it holds.</summary>
public sealed record ConversationAssessment(PriorityScore Priority, ConversationSignals Signals, bool Removed,
    DateTimeOffset BurstStartedAt, DateTimeOffset ReadyAt, int BurstSize);

/// <summary>Triage at the level an agent works at: a message in the context of the customer's other messages,
/// and a conversation as one priority. Pure functions over loaded data; the I/O is in <see cref="TriageStore"/>.</summary>
public static class ConversationTriage
{
    /// <summary>At most this many waiting messages are read together (the newest).</summary>
    public const int MaxMessagesRead = 10;
    /// <summary>At most this much joined text is read (the newest), which bounds the cost of a long wait.</summary>
    public const int MaxTextRead = 2_000;
    private const int MaxEarlierContacts = 10;
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    /// <summary>Analyses one message. Its earlier contacts (the customer's bursts before the one it belongs to)
    /// tell repeated contact and escalation; a burst's own messages are one contact, not several.</summary>
    public static TriageResult AnalyzeMessage(CustomerPost post, ConversationHistory history, BrandTriageSettings settings)
    {
        var burst = BurstOf(post, history, settings.Patience);
        return PostTriage.Analyze(InputFor(post.Text, post.Visibility, post.At, burst[0].At, history, settings.Patience), settings.Rules);
    }

    /// <summary>Assesses the conversation: its waiting messages read as one text (or its last burst once
    /// answered), moderation and sensitive data taken from each message's own signals, the customer's context,
    /// and the brand's weights.</summary>
    /// <param name="signals">The stored (or just computed) signals of this conversation's messages, by id.</param>
    /// <param name="analysed">A message just analysed, reused when it alone is what the conversation reads.</param>
    public static ConversationAssessment Assess(ConversationHistory history, BrandTriageSettings settings,
        IReadOnlyDictionary<Guid, MessageSignals> signals, (Guid Id, TriageResult Result)? analysed = null)
    {
        var mine = history.CustomerPosts.Where(p => p.ConversationId == history.ConversationId).OrderBy(p => p.At).ThenBy(p => p.Id).ToList();
        if (mine.Count == 0) throw new ArgumentException("A conversation is assessed from at least one customer message.", nameof(history));
        var bursts = Group(mine, settings.Patience);
        var current = bursts[^1];
        var lastReply = history.BrandReplies.Where(r => r <= mine[^1].At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var waiting = mine.Where(p => p.At > lastReply).ToList();
        var read = (waiting.Count > 0 ? waiting : current).TakeLast(MaxMessagesRead).ToList();
        while (read.Count > 1 && read.Sum(p => p.Text.Length + 1) > MaxTextRead) read.RemoveAt(0);
        var at = read[^1].At;

        TriageResult result;
        if (read.Count == 1 && analysed is { } a && a.Id == read[0].Id && BurstOf(read[0], history, settings.Patience)[0].At == read[0].At)
            result = a.Result;
        else
        {
            var visibility = read.Any(p => p.Visibility == PostVisibility.Public) ? PostVisibility.Public : PostVisibility.Private;
            // A newline between messages: words run on ("my flight" / "was cancelled"), a sentence does not end.
            result = PostTriage.Analyze(InputFor(string.Join('\n', read.Select(p => p.Text)), visibility, at, read[0].At, history, settings.Patience), settings.Rules);
        }

        // Moderation and sensitive data belong to each message, not to the joined text: a customer is not a
        // spammer because one of five messages had a link, and digits from two messages are not one number.
        var own = read.Select(p => signals.GetValueOrDefault(p.Id)).Where(s => s is not null).Select(s => s!).ToList();
        var moderation = own.Count == read.Count ? Combine(own.Select(s => s.Moderation).ToList()) : result.Moderation;
        var suggestPrivate = own.Any(s => s.SuggestPrivateChannel);
        result = result with { Moderation = moderation, SuggestPrivateChannel = suggestPrivate };

        var customer = new CustomerContext
        {
            Followers = history.Customer.Followers,
            Verified = history.Customer.Verified,
            ContactsToday = Math.Max(1, Group(history.CustomerPosts.Where(p => p.At <= at && at - p.At < Day), settings.Patience).Count),
            PreviousConversations = history.Customer.PreviousConversations,
            LastConversationUnresolved = history.Customer.LastConversationUnresolved,
            Value = history.Customer.Value,
        };
        var priority = Priority.Score(result, customer, settings.Weights);
        var conversationSignals = new ConversationSignals
        {
            Sentiment = MessageSignals.SentimentOf(result.Sentiment),
            Intents = MessageSignals.IntentsOf(result.Intent),
            Topics = [.. result.Topics.Select(t => t.Topic)],
            Urgency = [.. result.Urgency.Cues.Select(StoredSignals.Name)],
            UrgencyEvidence = result.Urgency.Evidence,
            SensitiveKinds = [.. own.SelectMany(s => s.Sensitive).Select(s => s.Kind).Distinct()],
            Moderation = MessageSignals.ModerationOf(moderation),
            SuggestPrivateChannel = suggestPrivate,
            MessagesRead = read.Count,
            Customer = new CustomerSignals
            {
                Followers = customer.Followers,
                Verified = customer.Verified,
                ContactsToday = customer.ContactsToday,
                PreviousConversations = customer.PreviousConversations,
                LastConversationUnresolved = customer.LastConversationUnresolved,
                Value = customer.Value,
            },
        };
        var removed = own.Count == read.Count && own.All(s => s.Moderation.Remove);
        return new ConversationAssessment(priority, conversationSignals, removed,
            current[0].At, BurstWindow.RouteAt(current[0].At, current[^1].At, settings.Patience), current.Count);
    }

    /// <summary>The customer's messages in bursts, in time order: a burst is what
    /// <see cref="BurstWindow.Joins(DateTimeOffset, DateTimeOffset, DateTimeOffset, BurstPolicy)"/> joins.</summary>
    public static List<List<CustomerPost>> Group(IEnumerable<CustomerPost> posts, BurstPolicy policy)
    {
        var bursts = new List<List<CustomerPost>>();
        foreach (var post in posts.OrderBy(p => p.At).ThenBy(p => p.Id))
        {
            if (bursts.Count > 0 && BurstWindow.Joins(bursts[^1][0].At, bursts[^1][^1].At, post.At, policy)) bursts[^1].Add(post);
            else bursts.Add([post]);
        }
        return bursts;
    }

    private static List<CustomerPost> BurstOf(CustomerPost post, ConversationHistory history, BurstPolicy policy)
    {
        var mine = history.CustomerPosts.Where(p => p.ConversationId == post.ConversationId && p.At <= post.At);
        if (!history.CustomerPosts.Any(p => p.Id == post.Id)) mine = mine.Append(post);
        return Group(mine, policy).First(b => b.Any(p => p.Id == post.Id));
    }

    /// <param name="from">The first message read: what came before it is the customer's earlier contacts.</param>
    private static TriageInput InputFor(string text, PostVisibility visibility, DateTimeOffset at, DateTimeOffset from, ConversationHistory history,
        BurstPolicy policy)
    {
        var earlier = history.CustomerPosts.Where(p => p.At < from && at - p.At <= UrgencyCues.RecentWindow);
        // Each earlier burst is one contact, read as one text at its last message's time.
        var contacts = Group(earlier, policy).TakeLast(MaxEarlierContacts)
            .Select(b => new RecentMessage(string.Join('\n', b.Select(p => p.Text)), b[^1].At)).ToList();
        var lastReply = history.BrandReplies.Where(r => r < at).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        return new TriageInput(text, visibility, history.Network, at)
        {
            AuthorFollowers = history.Customer.Followers,
            AuthorVerified = history.Customer.Verified,
            RecentMessages = contacts,
            PreviousContactCount = earlier.Select(p => p.ConversationId).Where(id => id != history.ConversationId).Distinct().Count(),
            ResolvedAt = history.ResolvedAt <= at ? history.ResolvedAt : null,
            LastBrandReplyAt = lastReply == DateTimeOffset.MinValue ? null : lastReply,
        };
    }

    /// <summary>Moderation of several messages read together: abuse and threats count if any message has
    /// them; spam, "no reply needed" and removal only if every message is so.</summary>
    public static ModerationResult Combine(IReadOnlyList<ModerationSignal> each)
    {
        if (each.Count == 1) return each[0].ToResult();
        var spam = each.All(m => m.Spam);
        var noReply = each.All(m => m.NoReplyNeeded);
        var reasons = each.SelectMany(m => m.Reasons)
            .Where(r => spam || r != "spam")
            .Where(r => noReply || !(r.StartsWith("acknowledgement", StringComparison.Ordinal) || r == "share without comment"))
            .Distinct().ToList();
        return new ModerationResult((float)each.Max(m => m.AbuseScore), each.Any(m => m.Abusive), each.Any(m => m.Threat),
            spam, noReply, each.All(m => m.Remove), reasons);
    }
}
