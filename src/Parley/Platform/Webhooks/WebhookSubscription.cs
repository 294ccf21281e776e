namespace Parley.Platform.Webhooks;

public enum SubscriptionStatus { Active, Paused }

/// <summary>An app's request to be told about events: where to POST them, which types (exact or
/// <c>conversation.*</c>), and optionally only one brand's or one channel's.</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AppId { get; init; }
    public string Url { get; set; } = "";
    /// <summary>Event type patterns, space separated: <c>conversation.*</c>, <c>message.received</c>, <c>*</c>.</summary>
    public string EventTypes { get; set; } = "";
    public Guid? BrandId { get; set; }
    public Guid? ChannelId { get; set; }
    /// <summary>The signing secret, encrypted with ASP.NET Data Protection; shown once when created.</summary>
    public string ProtectedSecret { get; set; } = "";
    /// <summary>The secret replaced by the last rotation, encrypted, still signing until <see cref="PreviousSecretExpiresAt"/>
    /// so receivers can switch to the new one without missing a delivery.</summary>
    public string? PreviousProtectedSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public SubscriptionStatus Status { get; set; } = SubscriptionStatus.Active;
    /// <summary>Attempts that failed in a row, across all its deliveries; a success resets it.</summary>
    public int ConsecutiveFailures { get; set; }
    /// <summary>When the current run of failures began.</summary>
    public DateTimeOffset? FailingSince { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public string? PausedReason { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>How long a replaced secret keeps signing unless the rotation says otherwise: a day, like API keys.</summary>
    public static readonly TimeSpan SecretOverlap = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxSecretOverlap = TimeSpan.FromDays(30);

    public IReadOnlyList<string> TypeList => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Records a failed attempt; answers whether the endpoint should now be paused.</summary>
    public bool Failed(DateTimeOffset now, WebhookOptions options)
    {
        ConsecutiveFailures++;
        FailingSince ??= now;
        return Status == SubscriptionStatus.Active
            && ConsecutiveFailures >= options.PauseAfterFailures
            && now - FailingSince >= options.PauseAfterFailingFor;
    }

    public void Succeeded()
    {
        ConsecutiveFailures = 0;
        FailingSince = null;
    }

    public void Pause(DateTimeOffset now, string reason)
    {
        Status = SubscriptionStatus.Paused;
        PausedAt = now;
        PausedReason = reason;
    }

    /// <summary>The new secret signs from now on; the current one keeps signing for the overlap. Only two secrets
    /// ever sign: rotating again during an overlap drops the oldest at once.</summary>
    public void RotateSecret(string protectedSecret, DateTimeOffset now, TimeSpan overlap)
    {
        var keepsSigning = overlap > TimeSpan.Zero;
        PreviousProtectedSecret = keepsSigning ? ProtectedSecret : null;
        PreviousSecretExpiresAt = keepsSigning ? now + overlap : null;
        ProtectedSecret = protectedSecret;
    }

    /// <summary>The protected secrets that sign a delivery made now, the current one first.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousProtectedSecret is { } previous && PreviousSecretExpiresAt > now ? [ProtectedSecret, previous] : [ProtectedSecret];

    public void Resume()
    {
        Status = SubscriptionStatus.Active;
        PausedAt = null;
        PausedReason = null;
        Succeeded();
    }
}
