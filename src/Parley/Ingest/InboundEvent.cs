namespace Parley.Ingest;

/// <summary><see cref="Waiting"/>: holds a message whose thread is not here yet (the page's reply
/// to a comment that has not arrived); it is tried again whenever new messages arrive, for a day.</summary>
public enum InboundStatus { Pending, Processed, Unhandled, Failed, Quarantined, Waiting }

/// <summary>The raw bytes of one delivery from a network, kept exactly as received so that it can
/// be inspected and replayed.</summary>
public sealed class InboundEvent
{
    public long Id { get; init; }
    public Guid ChannelId { get; init; }
    /// <summary>How it arrived: "x.webhook", "x.mentions", "meta.webhook".</summary>
    public string Source { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public byte[] Body { get; init; } = [];
    public InboundStatus Status { get; set; }
    public string? Error { get; set; }
    /// <summary>Events in the delivery of kinds Parley does not handle yet (read receipts, reactions, ...).</summary>
    public int UnhandledCount { get; set; }
    public int MessageCount { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
}
