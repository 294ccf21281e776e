using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Webhooks;

/// <summary>Keeps count of an endpoint's failures in a row and pauses it once it has failed long enough. Both the
/// fan-out and the dispatcher attempt deliveries, so both report what their attempts came to here.</summary>
public static class WebhookHealth
{
    public sealed record Attempt(DateTimeOffset At, string? Error);

    /// <summary>Records one subscription's attempts (any order); returns why it was paused if these attempts paused
    /// it, else null. The conditional update lets exactly one writer do the pausing and the telling.</summary>
    public static async Task<string?> RecordAsync(ParleyDb db, Guid subscriptionId, IEnumerable<Attempt> attempts, WebhookOptions options, CancellationToken ct)
    {
        // Failures since the endpoint last answered well are what count against it.
        var ordered = attempts.OrderBy(o => o.At).ToList();
        var lastSuccess = ordered.FindLastIndex(o => o.Error is null);
        var failures = ordered.Skip(lastSuccess + 1).ToList();
        var failed = failures.Count;
        DateTimeOffset? since = failed > 0 ? failures[0].At : null;
        if (lastSuccess >= 0)
            await db.WebhookSubscriptions.Where(x => x.Id == subscriptionId && (x.ConsecutiveFailures > 0 || failed > 0))
                .ExecuteUpdateAsync(x => x.SetProperty(y => y.ConsecutiveFailures, failed).SetProperty(y => y.FailingSince, since), ct);
        if (failed == 0) return null;

        var added = lastSuccess >= 0 ? 0 : failed; // 0: the count was just set
        var firstAt = failures[0].At;
        if (added > 0)
            await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsecutiveFailures, x => x.ConsecutiveFailures + added)
                    .SetProperty(x => x.FailingSince, x => x.FailingSince ?? firstAt), ct);
        var at = failures[^1].At;
        var current = await db.WebhookSubscriptions.AsNoTracking().FirstAsync(s => s.Id == subscriptionId, ct);
        if (current.Status != SubscriptionStatus.Active || current.ConsecutiveFailures < options.PauseAfterFailures
            || at - current.FailingSince < options.PauseAfterFailingFor)
            return null;
        var reason = WebhookSender.Truncate($"{current.ConsecutiveFailures} attempts in a row failed since {current.FailingSince:u}; the last: {failures[^1].Error}");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId && s.Status == SubscriptionStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Paused).SetProperty(x => x.PausedAt, at)
                    .SetProperty(x => x.PausedReason, reason), ct) == 0)
            return null;
        await WebhookPausing.TellOwnerAsync(db, current, reason, at, ct);
        await tx.CommitAsync(ct);
        return reason;
    }
}
