using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Parley.Simulator;

namespace Parley.WorkspaceBench;

/// <summary>Customers posting at a steady rate (open loop: each post leaves on its schedule whether or
/// not earlier ones were answered), each post carrying a token; notes when each was acknowledged.</summary>
public sealed class PostGenerator(HttpClient http, IReadOnlyList<string> texts)
{
    public sealed record Run(IReadOnlyDictionary<int, long> AckedAt, int Failed, double Seconds);

    /// <param name="request">Builds the request for post number n with the given text.</param>
    public async Task<Run> RunAsync(double rate, int seconds, Func<int, string, HttpRequestMessage> request)
    {
        var acked = new ConcurrentDictionary<int, long>();
        var failed = 0;
        var total = (int)(rate * seconds);
        var inFlight = new List<Task>(total);
        var started = Stopwatch.GetTimestamp();
        for (var n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds(n / rate) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero) await Task.Delay(due);
            var post = n;
            inFlight.Add(Task.Run(async () =>
            {
                using var message = request(post, $"{Tokens.For(post)} {texts[post % texts.Count]}");
                try
                {
                    using var response = await http.SendAsync(message);
                    if (response.IsSuccessStatusCode) acked[post] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    else Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref failed); }
            }));
        }
        await Task.WhenAll(inFlight);
        return new Run(acked, failed, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>A signed X Account Activity delivery: customer number n mentions the brand.</summary>
    public static HttpRequestMessage Tweet(Guid channelId, string accountId, string consumerSecret, int n, string text)
    {
        var customer = new SimXUser((8_000_000_000L + n).ToString(CultureInfo.InvariantCulture), $"live{n}", $"Live customer {n}", 120);
        var body = XPayloads.TweetCreate(accountId, new SimTweetEvent(
            (1_700_000_000_000_000_000L + n).ToString(CultureInfo.InvariantCulture), $"@ParleyAir {text}", customer, DateTimeOffset.UtcNow));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/x/{channelId}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(XWebhookSigner.Header, XWebhookSigner.Sign(consumerSecret, body));
        return request;
    }

    public static HttpRequestMessage Plain(string text) => new(HttpMethod.Post, "/post") { Content = new StringContent(text) };
}
