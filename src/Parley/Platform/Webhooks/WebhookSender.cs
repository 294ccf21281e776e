using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Parley.Platform.Webhooks;

/// <summary>One signed attempt at one delivery, shared by the fan-out (first attempts to healthy endpoints) and the
/// dispatcher (retries and redeliveries), so both send exactly the same request.</summary>
public sealed class WebhookSender(IHttpClientFactory http, IDataProtectionProvider protection, TimeProvider clock, IOptions<WebhookOptions> options)
{
    private readonly IDataProtector _secrets = WebhookSecrets.Protector(protection);
    /// <summary>One client for every attempt, its timeout the attempt's: at 20,000 attempts a second a client (and a
    /// linked cancellation with its own timer) per attempt is measurable, and the handler below it is long-lived
    /// anyway (connections are renewed every 5 minutes, see <see cref="WebhookDispatcher.Handler"/>).</summary>
    private readonly Lazy<HttpClient> _client = new(() =>
    {
        var client = http.CreateClient(WebhookDispatcher.HttpClientName);
        client.Timeout = options.Value.AttemptTimeout;
        return client;
    });

    /// <summary>The subscription's signing secrets, or null when this node cannot read them.</summary>
    public List<string>? SecretsOf(WebhookSubscription subscription, DateTimeOffset now)
    {
        try { return subscription.SigningSecrets(now).Select(_secrets.Unprotect).ToList(); }
        catch (CryptographicException) { return null; }
    }

    public const string UnreadableSecret = "The subscription's secret cannot be read on this node (its data-protection keys differ).";

    /// <returns>The status code (none if no answer) and, unless the endpoint accepted it, why the attempt failed.</returns>
    /// <param name="body">The envelope as UTF-8; shared by the attempts of one event to several endpoints, never changed.</param>
    public async Task<(int? Status, string? Error)> PostAsync(Guid deliveryId, Guid eventId, string eventType, byte[] body, string url,
        List<string>? secrets, CancellationToken ct)
    {
        if (secrets is null) return (null, UnreadableSecret);
        var timeoutAfter = options.Value.AttemptTimeout;
        try
        {
            var now = clock.GetUtcNow();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(secrets, now.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation(WebhookDispatcher.DeliveryIdHeader, deliveryId.ToString());
            request.Headers.TryAddWithoutValidation(WebhookDispatcher.EventIdHeader, eventId.ToString());
            request.Headers.TryAddWithoutValidation(WebhookDispatcher.EventTypeHeader, eventType);
            using var response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"The endpoint answered {code} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {timeoutAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        catch (HttpRequestException e)
        {
            return (null, Truncate("Could not reach the endpoint: " + e.Message));
        }
    }

    public static string Truncate(string s) => s.Length <= 1000 ? s : s[..997] + "...";

    /// <summary>The idempotency id of an event's delivery to a subscription, derived from both so it is the same
    /// however often the fan-out sends it (a crash before its cursor is saved sends it again) and on the row its
    /// retries are kept in.</summary>
    public static Guid DeliveryId(Guid subscriptionId, Guid eventId)
    {
        Span<byte> input = stackalloc byte[32];
        subscriptionId.TryWriteBytes(input[..16]);
        eventId.TryWriteBytes(input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8: custom, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes);
    }
}
