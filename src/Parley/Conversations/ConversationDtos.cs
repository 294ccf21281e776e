using System.Text.Json;
using Parley.Triage;

namespace Parley.Conversations;

public sealed record ContactSummary(Guid Id, string? Handle, string DisplayName);

/// <param name="Preview">The latest message, sensitive values masked.</param>
/// <param name="Priority">0-100, from the customer's messages, who they are and the brand's weights.</param>
/// <param name="RankedPriority">What sort=priority ranks by: the priority as of the customer's last complete burst, 0 once the brand has answered.</param>
/// <param name="Writing">The customer is still writing (inside the brand's patience window).</param>
/// <param name="Removed">The brand's removal rules (spam, threats, abuse) took it out of the inbox.</param>
public sealed record ConversationSummary(Guid Id, Guid ChannelId, string ChannelKind, string Status, string State,
    ContactSummary Contact, DateTimeOffset LastMessageAt, string Preview, DateTimeOffset? AcknowledgedAt, DateTimeOffset? SnoozedUntil,
    Guid? TeamId, Guid? AssigneeId, int Priority, int RankedPriority, IReadOnlyList<string> PriorityReasons, bool Writing, bool Removed)
{
    /// <summary>The conversation's tags, alphabetical.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Items, string? NextCursor);

/// <param name="Text">The text with card numbers, IBANs, phone numbers, e-mail addresses and order numbers masked.</param>
/// <param name="Masked">Something was masked; POST .../messages/{id}/reveal returns the original (and logs who asked).</param>
/// <param name="Signals">Triage signals of an inbound message.</param>
/// <param name="AuthorKind">customer, brand (a person or an installation key) or app (<paramref name="AuthorAppId"/> names it).</param>
public sealed record MessageDto(Guid Id, string Direction, string Visibility, string Text, bool Masked, string Author,
    string? ExternalId, string? InReplyToExternalId, DateTimeOffset CreatedAt, string DeliveryStatus,
    string? DeliveryError, int DeliveryAttempts, IReadOnlyList<MediaItem> Media, MessageSignals? Signals,
    string AuthorKind = "brand", Guid? AuthorAppId = null)
{
    public static MessageDto From(Message m)
    {
        var text = SensitiveData.MaskSensitive(m.Text);
        return new(m.Id, Lower(m.Direction), Lower(m.Visibility), text, !string.Equals(text, m.Text, StringComparison.Ordinal), m.Author,
            m.ExternalId, m.InReplyToExternalId, m.CreatedAt, Lower(m.DeliveryStatus), m.DeliveryError, m.DeliveryAttempts, m.Media,
            StoredSignals.Read<MessageSignals>(m.Signals),
            m.Direction == MessageDirection.Inbound ? "customer" : m.AuthorAppId is null ? "brand" : "app", m.AuthorAppId);
    }

    internal static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

public sealed record IdentityDto(string Network, string ExternalId, string? Handle, string? DisplayName, int? Followers, bool Verified);

public sealed record ContactDto(Guid Id, Guid BrandId, string DisplayName, IReadOnlyList<IdentityDto> Identities);

public sealed record ConversationDetail(Guid Id, Guid BrandId, Guid ChannelId, string ChannelKind, string Status, string State,
    DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt,
    DateTimeOffset? SnoozedUntil, Guid? TeamId, Guid? AssigneeId,
    ContactDto Contact, IReadOnlyList<MessageDto> Messages, ConversationTriageDto Triage);

/// <summary>A conversation's triage as the API shows it.</summary>
/// <param name="Reasons">Why the priority is what it is, largest first.</param>
/// <param name="Signals">Mood, intent, topics, urgency, sensitive data and moderation of the messages waiting
/// for an answer read together, and the customer as the priority saw them; null until triaged.</param>
/// <param name="ReadyAt">When the customer's current burst counts as complete (the patience window).</param>
/// <param name="PrivateChannelSuggestion">Set when a public message holds sensitive data: what to suggest.</param>
public sealed record ConversationTriageDto(int Priority, int RankedPriority, IReadOnlyList<string> Reasons, ConversationSignals? Signals,
    bool Writing, DateTimeOffset? BurstStartedAt, DateTimeOffset? ReadyAt, bool Removed, string? PrivateChannelSuggestion)
{
    public static ConversationTriageDto From(Conversation c)
    {
        var signals = StoredSignals.Read<ConversationSignals>(c.Signals);
        return new(c.Priority, c.RankedPriority, StoredSignals.ReadReasons(c.PriorityReasons), signals, c.IsWriting,
            c.BurstStartedAt, c.ReadyAt, c.Removed, signals is { SuggestPrivateChannel: true } s ? PrivateChannel.Suggestion(s.SensitiveKinds) : null);
    }
}

public sealed record ContactConversation(Guid Id, Guid ChannelId, string Status, DateTimeOffset LastMessageAt, string Preview);

/// <param name="Value">What the customer is worth to the brand, as its apps say (PUT .../facts).</param>
/// <param name="Facts">Other facts the brand's apps supplied: names to strings, numbers or booleans.</param>
/// <param name="FactsUpdatedBy">Who supplied the facts (an app's or a person's name); <paramref name="FactsUpdatedByAppId"/> when an app did.</param>
public sealed record ContactDetail(Guid Id, Guid BrandId, string DisplayName, DateTimeOffset CreatedAt,
    IReadOnlyList<IdentityDto> Identities, IReadOnlyList<ContactConversation> Conversations,
    decimal? Value, JsonElement? Facts, DateTimeOffset? FactsUpdatedAt, string? FactsUpdatedBy = null, Guid? FactsUpdatedByAppId = null);
