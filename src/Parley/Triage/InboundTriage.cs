using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Triage;

/// <summary>What triage decided about one inbound message.</summary>
/// <param name="KeepResolved">A bare acknowledgement after a resolution, and the brand keeps such conversations resolved.</param>
public sealed record InboundTriageOutcome(MessageSignals Signals, TriageChange Change, bool KeepResolved);

/// <summary>Triage of inbound messages as the inbound processor stores them. One instance per batch: a
/// brand's settings are read once per batch, not once per message. Per message it costs two queries
/// (the customer's recent messages, and their reach, history and value) and two runs of the pure core.</summary>
public sealed class InboundTriage
{
    private readonly Dictionary<Guid, (BrandTriageSettings Settings, int Version)> _brands = [];

    public async Task<InboundTriageOutcome> OnInboundAsync(ParleyDb db, Conversation conversation, Message message,
        long? payloadFollowers, bool payloadVerified, string network, DateTimeOffset now, CancellationToken ct)
    {
        if (!_brands.TryGetValue(conversation.BrandId, out var brand))
            _brands[conversation.BrandId] = brand = await BrandTriageCache.LoadAsync(db, conversation.BrandId, ct);
        var (settings, version) = brand;

        // A contact created in this unit of work has no history to load.
        var known = db.Contacts.Local.FindEntry(conversation.ContactId) is not { State: EntityState.Added };
        var stored = known
            ? await TriageStore.LoadPostsAsync(db, conversation.ContactId, message.CreatedAt - UrgencyCues.RecentWindow, TriageStore.MaxContextPosts, ct)
            : [];
        var profile = known ? await TriageStore.LoadProfileAsync(db, conversation, ct) : CustomerProfile.Unknown;
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

        var assessment = ConversationTriage.Assess(history, settings, bySignals, (message.Id, result));
        var change = conversation.Triaged(assessment, version, now);
        var keepResolved = settings.AcknowledgementsKeepResolved && conversation.State == ConversationState.Resolved
            && signals.Moderation.NoReplyNeeded;
        return new InboundTriageOutcome(signals, change, keepResolved);
    }
}
