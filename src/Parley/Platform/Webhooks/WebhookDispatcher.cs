using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>POSTs queued deliveries to their endpoints, signed, at least once. A delivery goes out only when
/// no earlier delivery for the same subscription and subject is still waiting, so a conversation's events
/// arrive in order; failures are retried on <see cref="Backoff"/>, dead-lettered after the last attempt,
/// and an endpoint that keeps failing is paused and its app's owner told.</summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookSignal signal, EventSignal events, IHttpClientFactory http, IDataProtectionProvider protection,
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

    private readonly IDataProtector _secrets = WebhookSecrets.Protector(protection);
    private WebhookOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
    }

    /// <returns>How many deliveries were attempted.</returns>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        List<long> due;
        var now = clock.GetUtcNow();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var active = db.WebhookSubscriptions.Where(s => s.Status == SubscriptionStatus.Active && s.DeletedAt == null).Select(s => s.Id);
            // Only the head of each (subscription, subject) line: a later event waits while an earlier one is pending.
            due = await db.WebhookDeliveries
                .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now && active.Contains(d.SubscriptionId))
                .Where(d => !db.WebhookDeliveries.Any(e => e.SubscriptionId == d.SubscriptionId && e.OrderKey == d.OrderKey
                    && e.State == DeliveryState.Pending && e.Seq < d.Seq))
                .OrderBy(d => d.Seq).Select(d => d.Seq).Take(Options.Parallelism * 4).ToListAsync(ct);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Options.Parallelism, CancellationToken = ct },
            async (seq, token) => await AttemptAsync(seq, token));
        return due.Count;
    }

    private async Task AttemptAsync(long seq, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var delivery = await db.WebhookDeliveries.FirstAsync(d => d.Seq == seq, ct);
        if (delivery.State != DeliveryState.Pending || delivery.NextAttemptAt > now) return;

        // Claim it for the length of one attempt: another node that read the same row loses this update, and
        // if this node dies mid-attempt the delivery is tried again when the claim runs out (at least once).
        var seen = delivery.NextAttemptAt;
        var lease = now + Options.AttemptTimeout * 2 + TimeSpan.FromSeconds(5);
        if (await db.WebhookDeliveries.Where(d => d.Seq == seq && d.NextAttemptAt == seen && d.State == DeliveryState.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, lease), ct) == 0)
            return;

        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstAsync(s => s.Id == delivery.SubscriptionId, ct);
        var (status, error) = await PostAsync(delivery, subscription, ct);

        var at = clock.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = at;
        delivery.LastStatusCode = status;
        delivery.LastError = error;
        if (error is null)
        {
            delivery.State = DeliveryState.Delivered;
            delivery.DeliveredAt = at;
            await db.SaveChangesAsync(ct);
            await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id && s.ConsecutiveFailures > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsecutiveFailures, 0).SetProperty(x => x.FailingSince, (DateTimeOffset?)null), ct);
            signal.Pulse(); // the next event of this conversation may now go
            return;
        }

        if (delivery.Attempts >= Options.MaxAttempts)
        {
            delivery.State = DeliveryState.DeadLettered;
            delivery.DeadLetteredAt = at;
            LogDeadLettered(log, delivery.Id, subscription.Url, delivery.Attempts, error);
        }
        else
        {
            delivery.NextAttemptAt = at + Backoff.Delay(delivery.Attempts, Options, Random.Shared);
        }
        await db.SaveChangesAsync(ct);
        if (delivery.State == DeliveryState.DeadLettered) signal.Pulse();
        await CountFailureAsync(db, subscription.Id, at, error, ct);
    }

    private async Task<(int? Status, string? Error)> PostAsync(WebhookDelivery delivery, WebhookSubscription subscription, CancellationToken ct)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(delivery.Body);
            var now = clock.GetUtcNow();
            var secrets = subscription.SigningSecrets(now).Select(_secrets.Unprotect).ToList();
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(secrets, now.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation(DeliveryIdHeader, delivery.Id.ToString());
            request.Headers.TryAddWithoutValidation(EventIdHeader, delivery.EventId.ToString());
            request.Headers.TryAddWithoutValidation(EventTypeHeader, delivery.EventType);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.AttemptTimeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"The endpoint answered {code} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {Options.AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        catch (HttpRequestException e)
        {
            return (null, Truncate("Could not reach the endpoint: " + e.Message));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return (null, "The subscription's secret cannot be read on this node (its data-protection keys differ).");
        }
    }

    /// <summary>Counts the failure against the endpoint and pauses it once it has failed long enough; the
    /// conditional update lets exactly one attempt do the pausing and the telling.</summary>
    private async Task CountFailureAsync(ParleyDb db, Guid subscriptionId, DateTimeOffset at, string error, CancellationToken ct)
    {
        await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsecutiveFailures, x => x.ConsecutiveFailures + 1)
                .SetProperty(x => x.FailingSince, x => x.FailingSince ?? at), ct);
        var current = await db.WebhookSubscriptions.AsNoTracking().FirstAsync(s => s.Id == subscriptionId, ct);
        if (current.Status != SubscriptionStatus.Active || current.ConsecutiveFailures < Options.PauseAfterFailures
            || at - current.FailingSince < Options.PauseAfterFailingFor)
            return;
        var reason = Truncate($"{current.ConsecutiveFailures} attempts in a row failed since {current.FailingSince:u}; the last: {error}");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId && s.Status == SubscriptionStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubscriptionStatus.Paused).SetProperty(x => x.PausedAt, at)
                    .SetProperty(x => x.PausedReason, reason), ct) == 0)
            return;
        await WebhookPausing.TellOwnerAsync(db, current, reason, at, ct);
        await tx.CommitAsync(ct);
        events.Pulse();
        LogPaused(log, subscriptionId, current.Url, reason);
    }

    private static string Truncate(string s) => s.Length <= 1000 ? s : s[..997] + "...";

    [LoggerMessage(LogLevel.Error, "The webhook dispatcher failed; it will try again.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Warning, "Webhook delivery {DeliveryId} to {Url} was dead-lettered after {Attempts} attempts: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, Guid deliveryId, string url, int attempts, string error);

    [LoggerMessage(LogLevel.Warning, "Webhook subscription {SubscriptionId} to {Url} was paused: {Reason}")]
    private static partial void LogPaused(ILogger logger, Guid subscriptionId, string url, string reason);
}
