using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Platform.Apps;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>What the fan-out needs to know about a subscription to decide whether it wants an event.</summary>
public sealed record SubscriptionTarget(Guid Id, IReadOnlyList<string> Types, Guid? BrandId, Guid? ChannelId, IReadOnlyList<Guid> AppBrands)
{
    public bool Wants(Event e, Guid? channelId) =>
        EventTypePatterns.MatchesAny(Types, e.Type)
        // An app limited to brands hears only of them; installation-wide events (no brand) are not theirs.
        && (AppBrands.Count == 0 || (e.BrandId is { } brand && AppBrands.Contains(brand)))
        && (BrandId is null || e.BrandId == BrandId)
        && (ChannelId is null || channelId == ChannelId);

    /// <summary>Everything the filter depends on, to tell whether a subscription was changed.</summary>
    public string Shape => string.Join(' ', Types) + '|' + BrandId + '|' + ChannelId + '|' + string.Join(' ', AppBrands);
}

/// <summary>Follows the event log for each active subscription with a cursor of its own and sends the events it
/// wants straight to its endpoint; only what did not go becomes a row for the <see cref="WebhookDispatcher"/>
/// (ADR 21). Each subscription is followed by a loop of its own, so a slow or failing endpoint delays nobody else;
/// paused and deleted subscriptions are not followed, and a resumed one goes on from its cursor.</summary>
public sealed partial class WebhookFanOut(IServiceScopeFactory scopes, EventSignal events, WebhookSignal dispatch, WebhookSender sender, WriteGate gate,
    TimeProvider clock, IOptions<WebhookOptions> options, ILogger<WebhookFanOut> log) : BackgroundService
{
    public const string Name = "webhook-fanout";

    private sealed record Follower(SubscriptionTarget Target, Wakeup Wake, CancellationTokenSource Stop, Task Running);

    private readonly Dictionary<Guid, Follower> _followers = [];
    private readonly EventTail _tail = new();
    private readonly FollowerCommits _commits = new(scopes, gate);

    /// <summary>How often the subscriptions to follow are looked up again (created, changed, paused, resumed).</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);
    /// <summary>The shortest time between a follower's steps once it has caught up. An event waits half of it on
    /// average before a follower reads it (ADR 28: 250 ms was most of the p50 once the other waits were gone); a
    /// step's work is a few statements, no longer rows for every success, so a tenth of the second the delivery delay
    /// may take costs little. Under load a step takes longer than this and the batches grow instead.</summary>
    private static readonly TimeSpan StepEvery = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refreshedAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() - refreshedAt >= RefreshEvery)
                {
                    await SuperviseAsync(stoppingToken);
                    refreshedAt = clock.GetUtcNow();
                }
                // New events wake every follower.
                await events.WaitAsync(RefreshEvery, stoppingToken);
                foreach (var f in _followers.Values) f.Wake.Pulse();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogFanOutFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        foreach (var f in _followers.Values) await f.Stop.CancelAsync();
        await Task.WhenAll(_followers.Values.Select(f => f.Running));
    }

    /// <summary>Starts a follower for each subscription that should have one and stops the others.</summary>
    private async Task SuperviseAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var targets = (await TargetsAsync(db, ct)).ToDictionary(t => t.Id);
        foreach (var (id, follower) in _followers.ToList())
        {
            if (targets.TryGetValue(id, out var target) && target.Shape == follower.Target.Shape && !follower.Running.IsCompleted) continue;
            await follower.Stop.CancelAsync();
            await follower.Running;
            follower.Stop.Dispose();
            _followers.Remove(id);
        }
        foreach (var target in targets.Values.Where(t => !_followers.ContainsKey(t.Id)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var wake = new Wakeup();
            _followers[target.Id] = new Follower(target, wake, stop, Task.Run(() => FollowAsync(target, wake, stop.Token), CancellationToken.None));
        }
    }

    private async Task FollowAsync(SubscriptionTarget target, Wakeup wake, CancellationToken ct)
    {
        var follower = new SubscriptionFollower(target, _tail, _commits, sender, clock, options.Value);
        DateTimeOffset? ended = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var started = clock.GetUtcNow();
                if (ended is { } end && FanOutMetrics.StepPhase.Enabled) FanOutMetrics.Phase("rest", started - end);
                var (_, full, queued, paused) = await follower.RunOnceAsync(scopes, ct);
                ended = clock.GetUtcNow();
                if (queued) dispatch.Pulse();
                if (paused is not null)
                {
                    LogPaused(log, target.Id, paused);
                    return;
                }
                if (full) continue;
                // Caught up: let events gather a little, so a step is a batch and not one event (each step is a few
                // statements, times the subscriptions), then wait for more.
                var rest = StepEvery - (clock.GetUtcNow() - started);
                if (rest > TimeSpan.Zero) await Task.Delay(rest, ct);
                await wake.WaitAsync(RefreshEvery, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e)
            {
                // Nothing was recorded, so the batch is read and sent again (with the same delivery ids).
                follower.Forget();
                LogFollowFailed(log, e, target.Id);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { }
            }
        }
    }

    public override void Dispose()
    {
        _tail.Dispose();
        _commits.Dispose();
        base.Dispose();
    }

    /// <summary>The subscriptions to follow: active, not deleted, of a live app that may read events.</summary>
    private static async Task<List<SubscriptionTarget>> TargetsAsync(ParleyDb db, CancellationToken ct)
    {
        var rows = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.DeletedAt == null && s.Status == SubscriptionStatus.Active)
            .Join(db.Apps.Where(a => a.DeletedAt == null), s => s.AppId, a => a.Id, (s, a) => new { s.Id, s.EventTypes, s.BrandId, s.ChannelId, a.Scopes, a.BrandIds })
            .ToListAsync(ct);
        return rows
            .Where(r => r.Scopes.Split(' ').Any(s => s is ApiScopes.EventsRead or ApiScopes.Admin))
            .Select(r => new SubscriptionTarget(r.Id, r.EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.BrandId, r.ChannelId,
                r.BrandIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList()))
            .ToList();
    }

    /// <summary>The body every delivery of the event carries: the same fields as the event log's API. Events never
    /// change, so the body can be rendered again from the event at any time.</summary>
    public static string Envelope(Event e) => JsonSerializer.Serialize(EventDto.From(e), JsonSerializerOptions.Web);

    /// <summary>The same envelope as UTF-8, the bytes that are signed and sent.</summary>
    public static byte[] EnvelopeUtf8(Event e) => JsonSerializer.SerializeToUtf8Bytes(EventDto.From(e), JsonSerializerOptions.Web);

    [LoggerMessage(LogLevel.Error, "The webhook fan-out failed; it will try again.")]
    private static partial void LogFanOutFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Error, "The webhook fan-out of subscription {SubscriptionId} failed; it will try again.")]
    private static partial void LogFollowFailed(ILogger logger, Exception e, Guid subscriptionId);

    [LoggerMessage(LogLevel.Warning, "Webhook subscription {SubscriptionId} was paused: {Reason}")]
    private static partial void LogPaused(ILogger logger, Guid subscriptionId, string reason);
}

/// <summary>Wakes the webhook dispatcher when deliveries were queued, redelivered or resumed.</summary>
public sealed class WebhookSignal : Wakeup;
