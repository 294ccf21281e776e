namespace Parley.Ingest;

public enum InboundStatus { Pending, Processed, Unhandled, Failed, Quarantined }

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
