namespace Parley.Platform.Webhooks;

public enum DeliveryState { Pending, Delivered, DeadLettered }

/// <summary>One event for one subscription: the outbox row. Written in the same transaction that moves
/// the fan-out's place in the event log, so an event is either waiting here or not yet read; never lost.</summary>
public sealed class WebhookDelivery
{
    /// <summary>Insertion order; the fan-out is the only writer, so this is event-log order per subscription.</summary>
    public long Seq { get; init; }
    /// <summary>The idempotency id: the same on every attempt and redelivery.</summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SubscriptionId { get; init; }
    public Guid EventId { get; init; }
    public string EventType { get; init; } = "";
    /// <summary>Deliveries with the same key go out one at a time, in order: the event's subject, so a
    /// conversation's events arrive as they happened.</summary>
    public string OrderKey { get; init; } = "";
    /// <summary>The envelope exactly as sent, fixed when queued so every attempt carries the same bytes.</summary>
    public string Body { get; init; } = "";
    public DeliveryState State { get; set; } = DeliveryState.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? DeadLetteredAt { get; set; }
}

/// <summary>Where the fan-out has read the event log up to (one row).</summary>
public sealed class WebhookCursor
{
    public const string FanOut = "webhook-fanout";
    public string Name { get; init; } = FanOut;
    public Guid? LastEventId { get; set; }
}
