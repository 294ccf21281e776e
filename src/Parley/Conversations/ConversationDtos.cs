namespace Parley.Conversations;

public sealed record ContactSummary(Guid Id, string? Handle, string DisplayName);

public sealed record ConversationSummary(Guid Id, Guid ChannelId, string ChannelKind, string Status, string State,
    ContactSummary Contact, DateTimeOffset LastMessageAt, string Preview, DateTimeOffset? AcknowledgedAt, DateTimeOffset? SnoozedUntil,
    Guid? TeamId, Guid? AssigneeId);

public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Items, string? NextCursor);

public sealed record MessageDto(Guid Id, string Direction, string Visibility, string Text, string Author,
    string? ExternalId, string? InReplyToExternalId, DateTimeOffset CreatedAt, string DeliveryStatus,
    string? DeliveryError, int DeliveryAttempts, IReadOnlyList<MediaItem> Media)
{
    public static MessageDto From(Message m) => new(m.Id, Lower(m.Direction), Lower(m.Visibility), m.Text, m.Author,
        m.ExternalId, m.InReplyToExternalId, m.CreatedAt, Lower(m.DeliveryStatus), m.DeliveryError, m.DeliveryAttempts, m.Media);

    internal static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

public sealed record IdentityDto(string Network, string ExternalId, string? Handle, string? DisplayName, int? Followers, bool Verified);

public sealed record ContactDto(Guid Id, Guid BrandId, string DisplayName, IReadOnlyList<IdentityDto> Identities);

public sealed record ConversationDetail(Guid Id, Guid BrandId, Guid ChannelId, string ChannelKind, string Status, string State,
    DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt,
    DateTimeOffset? SnoozedUntil, Guid? TeamId, Guid? AssigneeId,
    ContactDto Contact, IReadOnlyList<MessageDto> Messages);

public sealed record ContactConversation(Guid Id, Guid ChannelId, string Status, DateTimeOffset LastMessageAt, string Preview);

public sealed record ContactDetail(Guid Id, Guid BrandId, string DisplayName, DateTimeOffset CreatedAt,
    IReadOnlyList<IdentityDto> Identities, IReadOnlyList<ContactConversation> Conversations);
