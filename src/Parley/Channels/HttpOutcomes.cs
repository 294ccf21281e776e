using System.Net;

namespace Parley.Channels;

/// <summary>How a network's HTTP answer maps to a delivery outcome; shared by the senders.</summary>
public static class HttpOutcomes
{
    public static async Task<SendOutcome> FailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        var error = $"{(int)response.StatusCode} {response.ReasonPhrase}: {(body.Length > 300 ? body[..300] : body)}";
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            return new SendOutcome.Retry(error, RetryAfter(response), MaybePosted: false);
        if ((int)response.StatusCode >= 500)
            return new SendOutcome.Retry(error, RetryAfter(response), MaybePosted: true);
        if (response.StatusCode is HttpStatusCode.RequestTimeout)
            return new SendOutcome.Retry(error, null, MaybePosted: true);
        return new SendOutcome.Rejected(error);
    }

    /// <summary>Retry-After as seconds or a date; X also sends x-rate-limit-reset (epoch seconds).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta) return delta;
        if (response.Headers.RetryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow;
        if (response.Headers.TryGetValues("x-rate-limit-reset", out var values)
            && long.TryParse(values.FirstOrDefault(), out var reset))
            return DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow;
        return null;
    }

    /// <summary>A request that failed in transit. A timeout may have reached the network; a refused connection did not.</summary>
    public static SendOutcome FromException(Exception e) => e switch
    {
        TaskCanceledException or TimeoutException => new SendOutcome.Retry("The network did not answer in time.", null, MaybePosted: true),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } h
            => new SendOutcome.Retry("Could not connect: " + h.Message, null, MaybePosted: false),
        HttpRequestException h => new SendOutcome.Retry("Transport error: " + h.Message, null, MaybePosted: true),
        _ => new SendOutcome.Retry(e.Message, null, MaybePosted: true),
    };
}
