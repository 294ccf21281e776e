namespace Parley.Platform.Webhooks;

/// <param name="Url">Where to POST events: an absolute http or https URL.</param>
/// <param name="Events">Event types: exact (<c>message.received</c>), a family (<c>conversation.*</c>) or <c>*</c>.</param>
/// <param name="BrandId">Only this brand's events.</param>
/// <param name="ChannelId">Only events about this channel's conversations.</param>
public sealed record CreateSubscriptionRequest(string? Url, IReadOnlyList<string>? Events, Guid? BrandId, Guid? ChannelId);

/// <param name="Paused">false resumes a paused endpoint (its waiting deliveries go out); true pauses it.</param>
public sealed record UpdateSubscriptionRequest(string? Url, IReadOnlyList<string>? Events, bool? Paused);

/// <param name="PreviousSecretExpiresAt">While a rotated-out secret still signs (two v1 values), when it stops; null otherwise.</param>
public sealed record SubscriptionDto(Guid Id, Guid AppId, string Url, IReadOnlyList<string> Events, Guid? BrandId, Guid? ChannelId,
    string Status, DateTimeOffset? PausedAt, string? PausedReason, int ConsecutiveFailures, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt)
{
    public static SubscriptionDto From(WebhookSubscription s, DateTimeOffset now) => new(s.Id, s.AppId, s.Url, s.TypeList, s.BrandId, s.ChannelId,
        s.Status == SubscriptionStatus.Active ? "active" : "paused", s.PausedAt, s.PausedReason, s.ConsecutiveFailures,
        s.PreviousSecretExpiresAt > now ? s.PreviousSecretExpiresAt : null, s.CreatedAt);
}

/// <param name="OverlapMinutes">How long the replaced secret keeps signing too (default 1440, a day; 0 ends it now; at most 43200).</param>
public sealed record RotateSecretRequest(int? OverlapMinutes);

/// <param name="Secret">The new signing secret, shown this once.</param>
public sealed record RotatedSecretDto(string Secret, SubscriptionDto Subscription);

/// <param name="Secret">The signing secret, shown this once: verify Parley-Signature with it (docs/webhooks.md).</param>
public sealed record CreatedSubscriptionDto(SubscriptionDto Subscription, string Secret);

public sealed record DeliveryDto(Guid Id, Guid EventId, string EventType, string Subject, string State, int Attempts,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, DateTimeOffset? DeadLetteredAt)
{
    public static DeliveryDto From(WebhookDelivery d) => new(d.Id, d.EventId, d.EventType, d.OrderKey, StateName(d.State), d.Attempts,
        d.State == DeliveryState.Pending ? d.NextAttemptAt : null, d.LastAttemptAt, d.LastStatusCode, d.LastError, d.CreatedAt, d.DeliveredAt, d.DeadLetteredAt);

    public static string StateName(DeliveryState s) => s switch
    {
        DeliveryState.Pending => "pending",
        DeliveryState.Delivered => "delivered",
        _ => "deadLettered",
    };
}

/// <param name="NextBefore">Pass as <c>before</c> for the next (older) page; null at the end.</param>
public sealed record DeliveryPage(IReadOnlyList<DeliveryDto> Items, Guid? NextBefore);
