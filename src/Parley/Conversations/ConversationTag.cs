namespace Parley.Conversations;

/// <summary>A label on a conversation ("vip", "refund", "carrier:dhl"), set by a person or an app; the inbox
/// filters on it. One row per tag, so two writers adding different tags never overwrite each other.</summary>
public sealed class ConversationTag
{
    public Guid ConversationId { get; init; }
    /// <summary>Lower case, 1 to 50 of a-z, 0-9, '_', '-', ':' and '.'.</summary>
    public string Tag { get; init; } = "";
    public DateTimeOffset AddedAt { get; init; }
    public string AddedBy { get; init; } = "";
    public Guid? AddedByUserId { get; init; }
    public Guid? AddedByAppId { get; init; }
}
