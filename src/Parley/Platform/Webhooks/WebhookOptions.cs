namespace Parley.Platform.Webhooks;

/// <summary>Parley:Webhooks. The defaults retry for about 26 hours (see <see cref="Backoff"/>).</summary>
public sealed class WebhookOptions
{
    /// <summary>One attempt's limit, connection and response together.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(4);
    /// <summary>Attempts before a delivery is dead-lettered (the first try included).</summary>
    public int MaxAttempts { get; set; } = 17;
    /// <summary>An endpoint is paused after this many failed attempts in a row ...</summary>
    public int PauseAfterFailures { get; set; } = 20;
    /// <summary>... spanning at least this long, so a short outage never pauses it.</summary>
    public TimeSpan PauseAfterFailingFor { get; set; } = TimeSpan.FromHours(6);
    /// <summary>How often the dispatcher looks for due retries when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Retries in flight at once across all endpoints (the dispatcher); one endpoint gets at most a quarter
    /// of them, so a slow one cannot hold up the rest. First attempts (the fan-out's followers) are limited to a
    /// quarter per endpoint, each endpoint on its own.</summary>
    public int Parallelism { get; set; } = 64;
    /// <summary>Lets webhooks reach private, loopback and link-local addresses, and plain http. Off in production:
    /// a subscription URL must not turn Parley into a way into its own network (see <see cref="WebhookAddresses"/>).
    /// The demo and tests with a receiver on 127.0.0.1 turn it on.</summary>
    public bool AllowPrivateAddresses { get; set; }
}
