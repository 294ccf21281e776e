using Parley.Conversations;
using Parley.Data;

namespace Parley.Triage;

/// <summary>What triage decided about one inbound message.</summary>
/// <param name="KeepResolved">A bare acknowledgement after a resolution, and the brand keeps such conversations resolved.</param>
public sealed record InboundTriageOutcome(MessageSignals Signals, TriageChange Change, bool KeepResolved);

/// <summary>Triage of inbound messages as the inbound processor stores them. One instance per batch (one unit of
/// work, one writer): a brand's settings are read once per batch, and the customers' recent messages and profiles
/// with three set queries for the whole batch (<see cref="PreloadAsync"/>), then kept up to date in memory as their
/// next messages in the batch are stored. A customer the preload did not cover costs two queries, as before.</summary>
public sealed class InboundTriage
{
    private readonly Dictionary<Guid, (BrandTriageSettings Settings, int Version)> _brands = [];
    /// <summary>Newest first, as loaded, with the batch's own messages put in front as they are stored.</summary>
    private readonly Dictionary<Guid, List<StoredPost>> _posts = [];
    private readonly Dictionary<(Guid Contact, Guid Conversation), CustomerProfile> _profiles = [];
    /// <summary>The preloaded posts (newest first, from the batch's earliest cut-off), not yet taken by a message.</summary>
    private Dictionary<Guid, List<StoredPost>> _preloaded = [];
    private CustomerProfiles? _preloadedProfiles;

    /// <summary>Reads, for the customers a batch may touch, what their messages' triage reads: their recent messages
    /// and their profiles. <paramref name="earliest"/> is the earliest message time among the batch's items.</summary>
    public async Task PreloadAsync(ParleyDb db, IReadOnlyCollection<Guid> contactIds, DateTimeOffset earliest, CancellationToken ct)
    {
        if (contactIds.Count == 0) return;
        _preloadedProfiles = await TriageStore.LoadProfilesAsync(db, contactIds, ct);
        _preloaded = await TriageStore.LoadPostsAsync(db, contactIds, _preloadedProfiles.Conversations,
            earliest - UrgencyCues.RecentWindow, TriageStore.MaxContextPosts, ct);
    }

    /// <param name="newContact">The contact was created in this unit of work: there is no history to load.</param>
    public async Task<InboundTriageOutcome> OnInboundAsync(ParleyDb db, Conversation conversation, Message message, bool newContact,
        long? payloadFollowers, bool payloadVerified, string network, DateTimeOffset now, CancellationToken ct)
    {
        if (!_brands.TryGetValue(conversation.BrandId, out var brand))
            _brands[conversation.BrandId] = brand = await BrandTriageCache.LoadAsync(db, conversation.BrandId, ct);
        var (settings, version) = brand;

        if (!_posts.TryGetValue(conversation.ContactId, out var stored))
        {
            var since = message.CreatedAt - UrgencyCues.RecentWindow;
            if (newContact) stored = [];
            // The batch's cut-off was no later than this one, so this customer's posts from here on are a prefix.
            else if (_preloaded.Remove(conversation.ContactId, out var preloaded))
            {
                stored = preloaded;
                if (stored.FindIndex(p => p.At < since) is var end and >= 0) stored.RemoveRange(end, stored.Count - end);
            }
            else stored = await TriageStore.LoadPostsAsync(db, conversation.ContactId, since, TriageStore.MaxContextPosts, ct);
            _posts[conversation.ContactId] = stored;
        }
        if (!_profiles.TryGetValue((conversation.ContactId, conversation.Id), out var profile))
        {
            profile = newContact ? CustomerProfile.Unknown
                : _preloadedProfiles?.Covers(conversation.ContactId) == true
                    ? _preloadedProfiles.For(conversation.ContactId, conversation.Id, conversation.CreatedAt)
                    : await TriageStore.LoadProfileAsync(db, conversation, ct);
            _profiles[(conversation.ContactId, conversation.Id)] = profile;
        }
        // The payload is the freshest word on reach.
        profile = profile with
        {
            Followers = Math.Max(profile.Followers, payloadFollowers ?? 0),
            Verified = profile.Verified || payloadVerified,
        };

        var post = new CustomerPost(message.Id, conversation.Id, message.Text, message.CreatedAt, TriageStore.VisibilityOf(message.Visibility));
        var posts = new List<CustomerPost>(stored.Count + 1);
        foreach (var p in stored)
            if (p.Id != message.Id) posts.Add(p.ToPost());
        posts.Add(post);
        var replies = conversation.LastBrandReplyAt is { } replied ? new[] { replied } : [];
        var resolvedAt = conversation.State == ConversationState.Resolved ? conversation.ResolvedAt : null;
        var history = new ConversationHistory(conversation.Id, network, posts, replies, resolvedAt, profile);

        var result = ConversationTriage.AnalyzeMessage(post, history, settings);
        var signals = MessageSignals.From(result);
        message.Signals = StoredSignals.Write(signals);

        // Only the messages still waiting for an answer are read together, so only theirs can be needed; and of those
        // the conversation reads at most its newest ten, so each is parsed only when asked for (once per batch).
        var waiting = new Dictionary<Guid, StoredPost>();
        foreach (var p in stored)
            if (p.ConversationId == conversation.Id && p.Id != message.Id && (replies.Length == 0 || p.At > replies[0]))
                waiting[p.Id] = p;
        var bySignals = new WaitingSignals(message.Id, signals, waiting);

        stored.Insert(0, StoredPost.Triaged(post, message.Visibility, message.Signals, signals));
        if (stored.Count > TriageStore.MaxContextPosts) stored.RemoveRange(TriageStore.MaxContextPosts, stored.Count - TriageStore.MaxContextPosts);

        var assessment = ConversationTriage.Assess(history, settings, bySignals, (message.Id, result));
        var change = conversation.Triaged(assessment, version, now);
        var keepResolved = settings.AcknowledgementsKeepResolved && conversation.State == ConversationState.Resolved
            && signals.Moderation.NoReplyNeeded;
        return new InboundTriageOutcome(signals, change, keepResolved);
    }
}

/// <summary>The signals of a conversation's waiting messages by id, each stored text parsed only when
/// <see cref="ConversationTriage.Assess"/> looks it up: it reads at most the newest
/// <see cref="ConversationTriage.MaxMessagesRead"/>, of up to <see cref="TriageStore.MaxContextPosts"/> waiting.
/// A message whose stored signals are missing or unreadable is not in it, as it was not in the dictionary this replaces.</summary>
internal sealed class WaitingSignals(Guid messageId, MessageSignals signals, Dictionary<Guid, StoredPost> waiting)
    : IReadOnlyDictionary<Guid, MessageSignals>
{
    public bool TryGetValue(Guid key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out MessageSignals value)
    {
        if (key == messageId)
        {
            value = signals;
            return true;
        }
        value = waiting.TryGetValue(key, out var post) ? post.ReadSignals() : null;
        return value is not null;
    }

    public MessageSignals this[Guid key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();
    public bool ContainsKey(Guid key) => TryGetValue(key, out _);

    // Enumerating parses every waiting message, as the dictionary this replaces held them all.
    private IEnumerable<KeyValuePair<Guid, MessageSignals>> All()
    {
        yield return new(messageId, signals);
        foreach (var (id, post) in waiting)
            if (id != messageId && post.ReadSignals() is { } s) yield return new(id, s);
    }

    public IEnumerable<Guid> Keys => All().Select(p => p.Key);
    public IEnumerable<MessageSignals> Values => All().Select(p => p.Value);
    public int Count => All().Count();
    public IEnumerator<KeyValuePair<Guid, MessageSignals>> GetEnumerator() => All().GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
