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
/// and a conversation as one priority. Pure functions over loaded data; the I/O is in <see cref="TriageStore"/>.
/// Runs for every inbound message, so it works over one sorted copy of the posts with index ranges for bursts
/// rather than LINQ chains and lists of lists (docs/adr/0032); the results are the same to the bit.</summary>
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
        var policy = settings.Patience;
        return PostTriage.Analyze(InputFor(post.Text, post.Visibility, post.At, BurstStartOf(post, history, policy), history, policy), settings.Rules);
    }

    /// <summary>Assesses the conversation: its waiting messages read as one text (or its last burst once
    /// answered), moderation and sensitive data taken from each message's own signals, the customer's context,
    /// and the brand's weights.</summary>
    /// <param name="signals">The stored (or just computed) signals of this conversation's messages, by id.</param>
    /// <param name="analysed">A message just analysed, reused when it alone is what the conversation reads.</param>
    public static ConversationAssessment Assess(ConversationHistory history, BrandTriageSettings settings,
        IReadOnlyDictionary<Guid, MessageSignals> signals, (Guid Id, TriageResult Result)? analysed = null)
    {
        var policy = settings.Patience;
        var mine = Sorted(history.CustomerPosts, history.ConversationId, DateTimeOffset.MaxValue);
        if (mine.Length == 0) throw new ArgumentException("A conversation is assessed from at least one customer message.", nameof(history));
        var currentStart = LastBurstStart(mine, policy);
        var lastReply = DateTimeOffset.MinValue;
        foreach (var r in history.BrandReplies)
            if (r <= mine[^1].At && r > lastReply) lastReply = r;
        // Sorted by time, so the waiting messages are a suffix; without any, the current burst is read.
        var firstWaiting = mine.Length;
        while (firstWaiting > 0 && mine[firstWaiting - 1].At > lastReply) firstWaiting--;
        var readFrom = Math.Max(firstWaiting < mine.Length ? firstWaiting : currentStart, mine.Length - MaxMessagesRead);
        var textLength = 0;
        for (var i = readFrom; i < mine.Length; i++) textLength += mine[i].Text.Length + 1;
        while (mine.Length - readFrom > 1 && textLength > MaxTextRead) textLength -= mine[readFrom++].Text.Length + 1;
        var readCount = mine.Length - readFrom;
        var first = mine[readFrom];
        var at = mine[^1].At;

        // Moderation and sensitive data belong to each message, not to the joined text: a customer is not a
        // spammer because one of five messages had a link, and digits from two messages are not one number.
        var own = new List<MessageSignals>(readCount);
        for (var i = readFrom; i < mine.Length; i++)
            if (signals.GetValueOrDefault(mine[i].Id) is { } s) own.Add(s);
        var ownComplete = own.Count == readCount;

        TriageResult result;
        if (readCount == 1 && analysed is { } a && a.Id == first.Id && BurstStartAt(mine, readFrom, policy) == first.At)
            result = a.Result;
        else
        {
            var visibility = PostVisibility.Private;
            for (var i = readFrom; i < mine.Length; i++)
                if (mine[i].Visibility == PostVisibility.Public) visibility = PostVisibility.Public;
            // A newline between messages: words run on ("my flight" / "was cancelled"), a sentence does not end.
            var text = JoinTexts(mine, readFrom, mine.Length);
            // Only what the conversation's signals read: not sensitive data (taken per message below), nor
            // moderation when every message read has its own.
            result = PostTriage.AnalyzeRead(InputFor(text, visibility, at, first.At, history, policy), settings.Rules, moderation: !ownComplete);
        }

        var moderation = ownComplete ? Combine(own.ConvertAll(s => s.Moderation)) : result.Moderation;
        var suggestPrivate = own.Exists(s => s.SuggestPrivateChannel);
        result = result with { Moderation = moderation, SuggestPrivateChannel = suggestPrivate };

        var customer = new CustomerContext
        {
            Followers = history.Customer.Followers,
            Verified = history.Customer.Verified,
            ContactsToday = Math.Max(1, ContactsToday(history.CustomerPosts, at, policy)),
            PreviousConversations = history.Customer.PreviousConversations,
            LastConversationUnresolved = history.Customer.LastConversationUnresolved,
            Value = history.Customer.Value,
        };
        var priority = Priority.Score(result, customer, settings.Weights);
        var sensitiveKinds = new List<string>();
        foreach (var s in own)
            foreach (var span in s.Sensitive)
                if (!sensitiveKinds.Contains(span.Kind)) sensitiveKinds.Add(span.Kind);
        var conversationSignals = new ConversationSignals
        {
            Sentiment = MessageSignals.SentimentOf(result.Sentiment),
            Intents = MessageSignals.IntentsOf(result.Intent),
            Topics = MessageSignals.TopicsOf(result.Topics),
            Urgency = MessageSignals.UrgencyOf(result.Urgency),
            UrgencyEvidence = result.Urgency.Evidence,
            SensitiveKinds = sensitiveKinds,
            Moderation = MessageSignals.ModerationOf(moderation),
            SuggestPrivateChannel = suggestPrivate,
            MessagesRead = readCount,
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
        var removed = ownComplete && own.TrueForAll(s => s.Moderation.Remove);
        var current = mine[currentStart];
        return new ConversationAssessment(priority, conversationSignals, removed,
            current.At, BurstWindow.RouteAt(current.At, mine[^1].At, policy), mine.Length - currentStart);
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

    /// <summary>When the burst <paramref name="post"/> belongs to began: its conversation's messages up to it,
    /// grouped as <see cref="Group"/> does.</summary>
    private static DateTimeOffset BurstStartOf(CustomerPost post, ConversationHistory history, BurstPolicy policy)
    {
        var mine = Sorted(history.CustomerPosts, post.ConversationId, post.At, post);
        return BurstStartAt(mine, Array.FindIndex(mine, p => p.Id == post.Id), policy);
    }

    /// <summary>The first message of the burst that holds <c>sorted[index]</c>.</summary>
    private static DateTimeOffset BurstStartAt(CustomerPost[] sorted, int index, BurstPolicy policy)
    {
        var start = 0;
        for (var i = 1; i <= index; i++)
            if (!BurstWindow.Joins(sorted[start].At, sorted[i - 1].At, sorted[i].At, policy)) start = i;
        return sorted[start].At;
    }

    /// <summary>Where the last burst of <paramref name="sorted"/> begins.</summary>
    private static int LastBurstStart(CustomerPost[] sorted, BurstPolicy policy)
    {
        var start = 0;
        for (var i = 1; i < sorted.Length; i++)
            if (!BurstWindow.Joins(sorted[start].At, sorted[i - 1].At, sorted[i].At, policy)) start = i;
        return start;
    }

    /// <summary>Separate contacts (bursts) in the day up to <paramref name="at"/>, in any conversation.</summary>
    private static int ContactsToday(IReadOnlyList<CustomerPost> posts, DateTimeOffset at, BurstPolicy policy)
    {
        var today = Sorted(posts, null, at, minimumAgeExclusive: at - Day);
        var bursts = today.Length == 0 ? 0 : 1;
        var start = 0;
        for (var i = 1; i < today.Length; i++)
            if (!BurstWindow.Joins(today[start].At, today[i - 1].At, today[i].At, policy)) { start = i; bursts++; }
        return bursts;
    }

    /// <summary>The posts of one conversation (or of all, for null) at or before <paramref name="until"/>, with
    /// <paramref name="extra"/> added when the history does not hold it, in time order and then by id as
    /// <see cref="Group"/> orders them (ties keep their order: the sort is stable).</summary>
    private static CustomerPost[] Sorted(IReadOnlyList<CustomerPost> posts, Guid? conversationId, DateTimeOffset until,
        CustomerPost? extra = null, DateTimeOffset? minimumAgeExclusive = null)
    {
        var selected = new List<CustomerPost>(posts.Count + 1);
        var extraFound = extra is null;
        for (var i = 0; i < posts.Count; i++)
        {
            var p = posts[i];
            if (!extraFound && p.Id == extra!.Id) extraFound = true;
            if ((conversationId is null || p.ConversationId == conversationId) && p.At <= until
                && (minimumAgeExclusive is null || p.At > minimumAgeExclusive)) selected.Add(p);
        }
        if (!extraFound) selected.Add(extra!);
        return StableSort(selected);
    }

    private static CustomerPost[] StableSort(List<CustomerPost> selected)
    {
        var items = new (CustomerPost Post, int Index)[selected.Count];
        for (var i = 0; i < items.Length; i++) items[i] = (selected[i], i);
        Array.Sort(items, static (x, y) =>
        {
            var c = x.Post.At.CompareTo(y.Post.At);
            if (c == 0) c = x.Post.Id.CompareTo(y.Post.Id);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        });
        var sorted = new CustomerPost[items.Length];
        for (var i = 0; i < items.Length; i++) sorted[i] = items[i].Post;
        return sorted;
    }

    /// <param name="from">The first message read: what came before it is the customer's earlier contacts.</param>
    private static TriageInput InputFor(string text, PostVisibility visibility, DateTimeOffset at, DateTimeOffset from, ConversationHistory history,
        BurstPolicy policy)
    {
        var earlierPosts = new List<CustomerPost>();
        var otherConversations = new List<Guid>();
        foreach (var p in history.CustomerPosts)
        {
            if (p.At >= from || at - p.At > UrgencyCues.RecentWindow) continue;
            earlierPosts.Add(p);
            if (p.ConversationId != history.ConversationId && !otherConversations.Contains(p.ConversationId)) otherConversations.Add(p.ConversationId);
        }
        var earlier = StableSort(earlierPosts);
        // Each earlier burst is one contact, read as one text at its last message's time; the newest ten count.
        var starts = new List<int>();
        for (var i = 0; i < earlier.Length; i++)
            if (i == 0 || !BurstWindow.Joins(earlier[starts[^1]].At, earlier[i - 1].At, earlier[i].At, policy)) starts.Add(i);
        var contacts = new List<RecentMessage>(Math.Min(starts.Count, MaxEarlierContacts));
        for (var b = Math.Max(0, starts.Count - MaxEarlierContacts); b < starts.Count; b++)
        {
            var end = b + 1 < starts.Count ? starts[b + 1] : earlier.Length;
            var joined = end - starts[b] == 1 ? earlier[starts[b]].Text : JoinTexts(earlier, starts[b], end);
            contacts.Add(new RecentMessage(joined, earlier[end - 1].At));
        }
        var lastReply = DateTimeOffset.MinValue;
        foreach (var r in history.BrandReplies)
            if (r < at && r > lastReply) lastReply = r;
        return new TriageInput(text, visibility, history.Network, at)
        {
            AuthorFollowers = history.Customer.Followers,
            AuthorVerified = history.Customer.Verified,
            RecentMessages = contacts,
            PreviousContactCount = otherConversations.Count,
            ResolvedAt = history.ResolvedAt <= at ? history.ResolvedAt : null,
            LastBrandReplyAt = lastReply == DateTimeOffset.MinValue ? null : lastReply,
        };
    }

    private static string JoinTexts(CustomerPost[] posts, int from, int to)
    {
        if (to - from == 1) return posts[from].Text;
        var texts = new string[to - from];
        for (var i = from; i < to; i++) texts[i - from] = posts[i].Text;
        return string.Join('\n', texts);
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
