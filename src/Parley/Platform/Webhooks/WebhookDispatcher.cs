using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>POSTs the deliveries kept as rows (first attempts that failed, the events of their conversations
/// held back behind them, redeliveries; the fan-out sends the rest itself) to their endpoints, signed, at least once. A delivery goes out only when
/// no earlier delivery for the same subscription and subject is still waiting, so a conversation's events
/// arrive in order; failures are retried on <see cref="Backoff"/>, dead-lettered after the last attempt,
/// and an endpoint that keeps failing is paused and its app's owner told. Deliveries are claimed in batches,
/// sent concurrently across subscriptions (each endpoint to a share of the slots) and their outcomes written
/// in batches, so the database sees a few statements per batch rather than three per delivery (ADR 19).</summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSignal signal, EventSignal events, WebhookSender sender,
    TimeProvider clock, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> log) : BackgroundService
{
    public const string Name = "webhook-dispatcher";
    public const string HttpClientName = "webhooks";
    public const string DeliveryIdHeader = "Parley-Delivery-Id";
    public const string EventIdHeader = "Parley-Event-Id";
    public const string EventTypeHeader = "Parley-Event-Type";

    /// <summary>The webhook client's connections: redirects are not followed (a signed delivery goes only where it was
    /// subscribed) and every connection is to an address the subscription may reach, checked when connecting.</summary>
    public static SocketsHttpHandler Handler(IOptionsMonitor<WebhookOptions> options) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = WebhookAddresses.ConnectCallback(() => options.CurrentValue.AllowPrivateAddresses),
    };

    private WebhookOptions Options => options.Value;

    /// <summary>An attempt's result, waiting to be written with the others that finished about the same time.</summary>
    /// <param name="Skipped">Not attempted: its endpoint was paused after it was claimed; it is due again at once.</param>
    private sealed record Outcome(WebhookDelivery Delivery, int? Status, string? Error, DateTimeOffset At, bool Skipped = false);

    /// <summary>Endpoints this node paused, so deliveries it had already claimed for them are not sent after all.</summary>
    private readonly ConcurrentDictionary<Guid, byte> _paused = new();

    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, int> _claimedBySubscription = new();
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _endpointSlots = new();
    private SemaphoreSlim? _slots;
    private readonly Wakeup _slotFreed = new();
    private int _claimed;

    /// <summary>Attempts one endpoint may have in flight: a slow endpoint must not hold every slot.</summary>
    private int PerEndpoint => Math.Max(1, Options.Parallelism / 4);
    /// <summary>How many rounds of an endpoint's attempts may be claimed ahead: finding due deliveries is one query
    /// whatever the batch, so a batch is many times the slots.</summary>
    private const int RoundsAhead = 4;
    private int ClaimLimit => Options.Parallelism * RoundsAhead * 4;
    private int ClaimLimitPerEndpoint => PerEndpoint * RoundsAhead;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = RecordLoopAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DispatchDueAsync(stoppingToken) == 0)
                    await signal.WaitAsync(Options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogLoopFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        try { await recorder; }
        catch (OperationCanceledException) { }
    }

    /// <summary>Claims as many due deliveries as there are free slots, in one statement, and starts sending them;
    /// their outcomes are written in batches by the recorder. Claiming goes on while earlier attempts are in
    /// flight: those are leased (not due) and hold back the rest of their conversation, so order is kept.</summary>
    /// <returns>How many deliveries were claimed.</returns>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        // Claim in batches of at least a quarter of the limit rather than a few at a time as attempts finish.
        while (Volatile.Read(ref _claimed) > 0 && ClaimLimit - Volatile.Read(ref _claimed) < ClaimLimit / 4)
            await _slotFreed.WaitAsync(TimeSpan.FromMilliseconds(100), ct);
        var free = ClaimLimit - Volatile.Read(ref _claimed);
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var active = db.WebhookSubscriptions.Where(s => s.Status == SubscriptionStatus.Active && s.DeletedAt == null).Select(s => s.Id);
        // Only the head of each (subscription, subject) line: a later event waits while an earlier one is pending.
        var candidates = await db.WebhookDeliveries
            .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now && active.Contains(d.SubscriptionId))
            .Where(d => !db.WebhookDeliveries.Any(e => e.SubscriptionId == d.SubscriptionId && e.OrderKey == d.OrderKey
                && e.State == DeliveryState.Pending && e.Seq < d.Seq))
            .OrderBy(d => d.Seq).Select(d => new { d.Seq, d.SubscriptionId }).Take(free * 2).ToListAsync(ct);
        var room = new Dictionary<Guid, int>();
        var chosen = new List<long>();
        foreach (var c in candidates)
        {
            if (chosen.Count == free) break;
            var left = room.TryGetValue(c.SubscriptionId, out var r) ? r : ClaimLimitPerEndpoint - _claimedBySubscription.GetValueOrDefault(c.SubscriptionId);
            if (left <= 0) continue;
            room[c.SubscriptionId] = left - 1;
            chosen.Add(c.Seq);
        }
        if (chosen.Count == 0) return 0;

        // One statement claims the batch for as long as its attempts may take (an endpoint's claimed rounds, one
        // after another, each up to the attempt timeout); the lease instant, unique to this claim, tells which rows
        // it won (another node may have claimed some). If this node dies mid-attempt, the deliveries are tried
        // again when the lease runs out (at least once).
        var lease = now + Options.AttemptTimeout * (RoundsAhead + 2) + TimeSpan.FromSeconds(5) + TimeSpan.FromTicks(Random.Shared.Next(1, 1_000_000));
        await db.WebhookDeliveries.Where(d => chosen.Contains(d.Seq) && d.State == DeliveryState.Pending && d.NextAttemptAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, lease), ct);
        var claimed = await db.WebhookDeliveries.AsNoTracking().Where(d => chosen.Contains(d.Seq) && d.NextAttemptAt == lease).ToListAsync(ct);
        // A delivery recorded only as a success (the fan-out keeps no body for those) is rendered again from its
        // event, which never changes, when it is redelivered.
        var unrendered = claimed.Where(d => d.Body.Length == 0).Select(d => d.EventId).Distinct().ToList();
        var rendered = unrendered.Count == 0 ? [] : (await db.Events.AsNoTracking().Where(e => unrendered.Contains(e.Id)).ToListAsync(ct))
            .ToDictionary(e => e.Id, WebhookFanOut.Envelope);
        var ids = claimed.Select(d => d.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(x => ids.Contains(x.Id)).ToDictionaryAsync(x => x.Id, ct);
        foreach (var id in ids) _paused.TryRemove(id, out _); // claimed, so active again (resumed)
        var signing = subscriptions.ToDictionary(x => x.Key, x => sender.SecretsOf(x.Value, now));
        foreach (var delivery in claimed)
        {
            Interlocked.Increment(ref _claimed);
            _claimedBySubscription.AddOrUpdate(delivery.SubscriptionId, 1, (_, n) => n + 1);
            var body = delivery.Body.Length > 0 ? delivery.Body : rendered.GetValueOrDefault(delivery.EventId, "");
            _ = SendAsync(delivery, body, subscriptions[delivery.SubscriptionId], signing[delivery.SubscriptionId], ct);
        }
        return claimed.Count;
    }

    /// <summary>Waits for a slot of its endpoint's and one of all, so claimed deliveries of a slow endpoint wait on
    /// their own endpoint without holding the slots the others need.</summary>
    private async Task SendAsync(WebhookDelivery delivery, string body, WebhookSubscription subscription, List<string>? secrets, CancellationToken ct)
    {
        var endpoint = _endpointSlots.GetOrAdd(delivery.SubscriptionId, _ => new SemaphoreSlim(PerEndpoint));
        var all = LazyInitializer.EnsureInitialized(ref _slots, () => new SemaphoreSlim(Options.Parallelism));
        try
        {
            await endpoint.WaitAsync(ct);
            try
            {
                await all.WaitAsync(ct);
                try
                {
                    if (_paused.ContainsKey(delivery.SubscriptionId))
                    {
                        _outcomes.Writer.TryWrite(new Outcome(delivery, null, null, clock.GetUtcNow(), Skipped: true));
                        return;
                    }
                    var (status, error) = await sender.PostAsync(delivery.Id, delivery.EventId, delivery.EventType, Encoding.UTF8.GetBytes(body), subscription.Url, secrets, ct);
                    _outcomes.Writer.TryWrite(new Outcome(delivery, status, error, clock.GetUtcNow()));
                }
                finally { all.Release(); }
            }
            finally { endpoint.Release(); }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            LogAttemptFailed(log, e, delivery.Id);
            _outcomes.Writer.TryWrite(new Outcome(delivery, null, WebhookSender.Truncate("The attempt failed inside Parley: " + e.Message), clock.GetUtcNow()));
        }
        finally
        {
            Interlocked.Decrement(ref _claimed);
            _claimedBySubscription.AddOrUpdate(delivery.SubscriptionId, 0, (_, n) => n - 1);
            _slotFreed.Pulse();
        }
    }

    /// <summary>Writes outcomes as they come, all that finished since the last write in one transaction.</summary>
    private async Task RecordLoopAsync(CancellationToken ct)
    {
        var reader = _outcomes.Reader;
        var batch = new List<Outcome>();
        while (await reader.WaitToReadAsync(ct))
        {
            batch.Clear();
            while (batch.Count < 2_000 && reader.TryRead(out var outcome)) batch.Add(outcome);
            try
            {
                await RecordAsync(batch, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (Exception e)
            {
                // Unrecorded attempts are tried again when their leases run out: at least once, never lost.
                LogLoopFailed(log, e);
            }
        }
    }

    private async Task RecordAsync(List<Outcome> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        // The endpoint's failures are counted (and it is paused) before its failed deliveries become due again,
        // so a retry is never claimed for an endpoint that has just earned its pause.
        foreach (var attempts in batch.Where(o => !o.Skipped).GroupBy(o => o.Delivery.SubscriptionId))
        {
            var paused = await WebhookHealth.RecordAsync(db, attempts.Key, attempts.Select(o => new WebhookHealth.Attempt(o.At, o.Error)), Options, ct);
            if (paused is null) continue;
            _paused[attempts.Key] = 0;
            events.Pulse();
            LogPaused(log, attempts.Key, paused);
        }

        var movesLines = false;
        foreach (var (delivery, status, error, at, skipped) in batch)
        {
            db.WebhookDeliveries.Attach(delivery);
            if (skipped)
            {
                delivery.NextAttemptAt = at;
                continue;
            }
            delivery.Attempts++;
            delivery.LastAttemptAt = at;
            delivery.LastStatusCode = status;
            delivery.LastError = error;
            if (error is null)
            {
                delivery.State = DeliveryState.Delivered;
                delivery.DeliveredAt = at;
                movesLines = true;
            }
            else if (delivery.Attempts >= Options.MaxAttempts)
            {
                delivery.State = DeliveryState.DeadLettered;
                delivery.DeadLetteredAt = at;
                movesLines = true;
                LogDeadLettered(log, delivery.Id, delivery.SubscriptionId, delivery.Attempts, error);
            }
            else
            {
                delivery.NextAttemptAt = at + Backoff.Delay(delivery.Attempts, Options, Random.Shared);
            }
        }
        await db.SaveChangesAsync(ct);
        if (movesLines) signal.Pulse(); // the next events of these conversations may now go
    }

    [LoggerMessage(LogLevel.Error, "The webhook dispatcher failed; it will try again.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Warning, "Webhook delivery {DeliveryId} of subscription {SubscriptionId} was dead-lettered after {Attempts} attempts: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, Guid deliveryId, Guid subscriptionId, int attempts, string error);

    [LoggerMessage(LogLevel.Error, "Webhook delivery {DeliveryId}'s attempt failed inside Parley.")]
    private static partial void LogAttemptFailed(ILogger logger, Exception e, Guid deliveryId);

    [LoggerMessage(LogLevel.Warning, "Webhook subscription {SubscriptionId} was paused: {Reason}")]
    private static partial void LogPaused(ILogger logger, Guid subscriptionId, string reason);
}
