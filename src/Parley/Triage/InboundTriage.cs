using Parley.Conversations;
using Parley.Data;

namespace Parley.Triage;

/// <summary>What triage decided about one inbound message.</summary>
/// <param name="KeepResolved">A bare acknowledgement after a resolution, and the brand keeps such conversations resolved.</param>
public sealed record InboundTriageOutcome(MessageSignals Signals, TriageChange Change, bool KeepResolved);

/// <summary>Triage of inbound messages as the inbound processor stores them. One instance per batch (one
/// transaction, one writer): a brand's settings are read once per batch, and a customer's recent messages and
/// profile once per batch too, then kept up to date in memory as their next messages in the batch are stored.
/// So a message costs at most two queries (the customer's recent messages; their reach, history and value),
/// none for a customer already seen in the batch, and two runs of the pure core.</summary>
public sealed class InboundTriage
{
    private readonly Dictionary<Guid, (BrandTriageSettings Settings, int Version)> _brands = [];
    /// <summary>Newest first, as loaded, with the batch's own messages put in front as they are stored.</summary>
    private readonly Dictionary<Guid, List<StoredPost>> _posts = [];
    private readonly Dictionary<(Guid Contact, Guid Conversation), CustomerProfile> _profiles = [];

    /// <param name="newContact">The contact was created in this unit of work: there is no history to load.</param>
    public async Task<InboundTriageOutcome> OnInboundAsync(ParleyDb db, Conversation conversation, Message message, bool newContact,
        long? payloadFollowers, bool payloadVerified, string network, DateTimeOffset now, CancellationToken ct)
    {
        if (!_brands.TryGetValue(conversation.BrandId, out var brand))
            _brands[conversation.BrandId] = brand = await BrandTriageCache.LoadAsync(db, conversation.BrandId, ct);
        var (settings, version) = brand;

        if (!_posts.TryGetValue(conversation.ContactId, out var stored))
        {
            stored = newContact ? [] : await TriageStore.LoadPostsAsync(db, conversation.ContactId,
                message.CreatedAt - UrgencyCues.RecentWindow, TriageStore.MaxContextPosts, ct);
            _posts[conversation.ContactId] = stored;
        }
        if (!_profiles.TryGetValue((conversation.ContactId, conversation.Id), out var profile))
        {
            profile = newContact ? CustomerProfile.Unknown : await TriageStore.LoadProfileAsync(db, conversation, ct);
            _profiles[(conversation.ContactId, conversation.Id)] = profile;
        }
        // The payload is the freshest word on reach.
        profile = profile with
        {
            Followers = Math.Max(profile.Followers, payloadFollowers ?? 0),
            Verified = profile.Verified || payloadVerified,
        };

        var post = new CustomerPost(message.Id, conversation.Id, message.Text, message.CreatedAt, TriageStore.VisibilityOf(message.Visibility));
        var posts = stored.Where(p => p.Id != message.Id).Select(p => p.ToPost()).Append(post).ToList();
        var replies = conversation.LastBrandReplyAt is { } replied ? new[] { replied } : [];
        var resolvedAt = conversation.State == ConversationState.Resolved ? conversation.ResolvedAt : null;
        var history = new ConversationHistory(conversation.Id, network, posts, replies, resolvedAt, profile);

        var result = ConversationTriage.AnalyzeMessage(post, history, settings);
        var signals = MessageSignals.From(result);
        message.Signals = StoredSignals.Write(signals);

        // Only the messages still waiting for an answer are read together, so only theirs are parsed.
        var bySignals = new Dictionary<Guid, MessageSignals> { [message.Id] = signals };
        foreach (var p in stored)
            if (p.ConversationId == conversation.Id && p.Id != message.Id && (replies.Length == 0 || p.At > replies[0])
                && StoredSignals.Read<MessageSignals>(p.Signals) is { } s)
                bySignals[p.Id] = s;

        stored.Insert(0, new StoredPost(message.Id, conversation.Id, message.Text, message.CreatedAt, message.Visibility, message.Signals));
        if (stored.Count > TriageStore.MaxContextPosts) stored.RemoveRange(TriageStore.MaxContextPosts, stored.Count - TriageStore.MaxContextPosts);

        var assessment = ConversationTriage.Assess(history, settings, bySignals, (message.Id, result));
        var change = conversation.Triaged(assessment, version, now);
        var keepResolved = settings.AcknowledgementsKeepResolved && conversation.State == ConversationState.Resolved
            && signals.Moderation.NoReplyNeeded;
        return new InboundTriageOutcome(signals, change, keepResolved);
    }
}
