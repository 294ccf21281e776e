namespace Parley.Conversations;

public enum ConversationStatus { Open, Resolved }

/// <summary>A thread with one customer on one channel: a reply chain, a DM thread, or both once the
/// customer moves from public to private.</summary>
public sealed class Conversation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public Guid ChannelId { get; init; }
    public Guid ContactId { get; init; }
    public ConversationStatus Status { get; private set; } = ConversationStatus.Open;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastMessageAt { get; private set; }
    public string Preview { get; private set; } = "";
    public DateTimeOffset? ResolvedAt { get; private set; }

    public Contact? Contact { get; init; }
    public List<Message> Messages { get; init; } = [];

    public const int PreviewLength = 140;

    /// <summary>Keeps the list order and preview on the newest message by the network's clock, so
    /// events delivered out of order still leave the latest text in front.</summary>
    public void Record(Message message)
    {
        if (message.CreatedAt < LastMessageAt) return;
        LastMessageAt = message.CreatedAt;
        Preview = message.Text.Length <= PreviewLength ? message.Text : message.Text[..PreviewLength];
    }

    /// <returns>false when it was already resolved.</returns>
    public bool Resolve(DateTimeOffset at)
    {
        if (Status == ConversationStatus.Resolved) return false;
        Status = ConversationStatus.Resolved;
        ResolvedAt = at;
        return true;
    }

    /// <returns>false when it was already open.</returns>
    public bool Reopen()
    {
        if (Status == ConversationStatus.Open) return false;
        Status = ConversationStatus.Open;
        ResolvedAt = null;
        return true;
    }
}
