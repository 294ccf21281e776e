using Parley.Data;

namespace Parley.Conversations;

public enum MessageDirection { Inbound, Outbound }

public enum MessageVisibility { Public, Private }

/// <summary>Where an outbound message stands with its network. Inbound messages and the brand's own
/// posts seen through a webhook are <see cref="Sent"/> from the start.</summary>
public enum DeliveryStatus { Pending, Sent, Failed }

public sealed class Message
{
    public Guid Id { get; init; } = GuidV7.New();
    public Guid ConversationId { get; set; }
    public Guid ChannelId { get; init; }
    public MessageDirection Direction { get; init; }
    public MessageVisibility Visibility { get; init; }
    public string Text { get; init; } = "";
    public string Author { get; init; } = "";
    /// <summary>The app the reply is credited to, when an app wrote it (docs/adr/0017).</summary>
    public Guid? AuthorAppId { get; init; }
    /// <summary>The network's own id: the dedupe key together with the channel. Null until a reply is sent.</summary>
    public string? ExternalId { get; set; }
    public string? InReplyToExternalId { get; init; }
    /// <summary>For outbound messages: whom the network should deliver to, as "network:id"
    /// (a private message to a user) or "comment:id" (a private reply to a public comment).</summary>
    public string? Recipient { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public List<MediaItem> Media { get; init; } = [];
    /// <summary>Triage signals of an inbound message, as compact JSON (<see cref="Triage.MessageSignals"/>); null for the brand's own.</summary>
    public string? Signals { get; set; }

    public DeliveryStatus DeliveryStatus { get; private set; } = DeliveryStatus.Sent;
    public string? DeliveryError { get; private set; }
    public int DeliveryAttempts { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    /// <summary>Set when an attempt may have reached the network without an answer (a timeout):
    /// before posting again the sender must look for the earlier post.</summary>
    public DateTimeOffset? UncertainSince { get; private set; }

    public static Message Reply(Guid conversationId, Guid channelId, string text, MessageVisibility visibility,
        string author, string? inReplyTo, string? recipient, DateTimeOffset at, Guid? id = null, Guid? authorAppId = null) => new()
    {
        Id = id ?? GuidV7.New(),
        AuthorAppId = authorAppId,
        Recipient = recipient,
        ConversationId = conversationId,
        ChannelId = channelId,
        Direction = MessageDirection.Outbound,
        Visibility = visibility,
        Text = text,
        Author = author,
        InReplyToExternalId = inReplyTo,
        CreatedAt = at,
        DeliveryStatus = DeliveryStatus.Pending,
        NextAttemptAt = at,
    };

    public void MarkSent(string externalId)
    {
        ExternalId = externalId;
        DeliveryStatus = DeliveryStatus.Sent;
        DeliveryError = null;
        NextAttemptAt = null;
        UncertainSince = null;
    }

    public void MarkAttemptFailed(string error, DateTimeOffset retryAt, bool outcomeUnknown, DateTimeOffset now)
    {
        DeliveryAttempts++;
        DeliveryError = error;
        NextAttemptAt = retryAt;
        if (outcomeUnknown) UncertainSince ??= now;
    }

    public void MarkFailed(string error)
    {
        DeliveryAttempts++;
        DeliveryStatus = DeliveryStatus.Failed;
        DeliveryError = error;
        NextAttemptAt = null;
    }
}

public sealed record MediaItem(string Type, string Url);
