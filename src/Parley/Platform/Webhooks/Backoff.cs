namespace Parley.Platform.Webhooks;

/// <summary>When to try a failed delivery again: doubling from <see cref="WebhookOptions.FirstRetry"/> up to
/// <see cref="WebhookOptions.MaxBackoff"/>, plus up to a quarter more at random so that endpoints that failed
/// together are not all retried in the same instant. Jitter only adds, so the whole schedule is never shorter
/// than <see cref="ShortestSchedule"/> (about 25.7 hours with the defaults).</summary>
public static class Backoff
{
    public static TimeSpan Delay(int failedAttempts, WebhookOptions options, Random random)
    {
        var plain = Plain(failedAttempts, options);
        return plain + plain * (random.NextDouble() * 0.25);
    }

    private static TimeSpan Plain(int failedAttempts, WebhookOptions options)
    {
        var doublings = Math.Min(failedAttempts - 1, 30);
        var ticks = Math.Min(options.FirstRetry.Ticks * Math.Pow(2, doublings), options.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>From the first attempt to the last, without jitter.</summary>
    public static TimeSpan ShortestSchedule(WebhookOptions options) =>
        Enumerable.Range(1, options.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, n) => sum + Plain(n, options));
}
