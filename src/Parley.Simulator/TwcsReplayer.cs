using Microsoft.Extensions.Logging.Abstractions;

namespace Parley.Simulator;

/// <summary>Where a replay delivers: Parley's webhook endpoints for one X channel and one Meta channel.
/// A <see cref="Guid.Empty"/> channel id leaves that network out (all threads then go to the other).</summary>
public sealed record ReplayTarget(
    Uri ParleyBaseAddress, Guid XChannelId, string XConsumerSecret, string XAccountId, string XAccountHandle,
    Guid MetaChannelId, string MetaAppSecret, string MetaPageId);

/// <summary>How a replay went: deliveries Parley accepted, and those it refused or never received.</summary>
public sealed record ReplaySummary(int Delivered, int Failed);

/// <summary>Replays real customer-care conversations from the TWCS dataset into a running Parley as
/// correctly signed webhooks, as the networks would deliver them.</summary>
public sealed partial class TwcsReplayer(HttpClient? http = null, ILogger? logger = null)
{
    private const int Retries = 5;
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(15) };
    private readonly HttpClient client = http ?? SharedHttp;
    private readonly ILogger log = logger ?? NullLogger.Instance;

    /// <summary>Groups the rows of <paramref name="csvPath"/> into conversations (by <c>in_response_to_tweet_id</c>
    /// chains), keeps those with at least one customer tweet, oldest first, at most <paramref name="maxThreads"/>
    /// (0 or less: all).</summary>
    public static IReadOnlyList<TwcsThread> Load(string csvPath, int maxThreads)
    {
        var threads = TwcsDataset.Threads(TwcsDataset.ReadRows(csvPath));
        return maxThreads > 0 && threads.Count > maxThreads ? threads[..maxThreads] : threads;
    }

    /// <summary>Sends every tweet of <paramref name="threads"/> to Parley: X threads as Account Activity
    /// deliveries to <c>{base}/webhooks/x/{XChannelId}</c>, every 4th thread as Messenger messages to
    /// <c>{base}/webhooks/meta/{MetaChannelId}</c>. The dataset is shifted to start now; real gaps are divided by
    /// <paramref name="speedup"/> and capped at 2 s. Each delivery is retried up to 5 times on network errors,
    /// 429 and 5xx; a 4xx other than 429 is logged and skipped.</summary>
    public async Task<ReplaySummary> ReplayAsync(ReplayTarget target, IReadOnlyList<TwcsThread> threads, double speedup, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        var plan = ReplayPlan.Build(target, threads, speedup, start);
        LogStarting(log, plan.Count, threads.Count, plan.Count == 0 ? TimeSpan.Zero : plan[^1].At - start);
        int delivered = 0, failed = 0;
        foreach (var delivery in plan)
        {
            var wait = delivery.At - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            if (await SendAsync(delivery, ct)) delivered++;
            else failed++;
            if ((delivered + failed) % 50 == 0) LogProgress(log, delivered + failed, plan.Count, failed);
        }
        LogDone(log, delivered, failed);
        return new ReplaySummary(delivered, failed);
    }

    private async Task<bool> SendAsync(PlannedDelivery delivery, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            string problem;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                foreach (var header in delivery.Headers) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
                using var response = await client.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) return true;
                if (status != 429 && status < 500)
                {
                    LogRefused(log, delivery.Label, status, await response.Content.ReadAsStringAsync(ct));
                    return false;
                }
                problem = "HTTP " + status;
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                problem = e.Message;
            }
            if (attempt == Retries)
            {
                LogGaveUp(log, delivery.Label, Retries + 1, problem);
                return false;
            }
            // Backs off like a network's delivery queue: 0.25 s, 0.5 s, 1 s, 2 s, 4 s.
            await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << attempt)), ct);
        }
    }

    [LoggerMessage(LogLevel.Information, "Replaying {Deliveries} webhook deliveries from {Threads} TWCS threads over about {Duration}.")]
    private static partial void LogStarting(ILogger logger, int deliveries, int threads, TimeSpan duration);

    [LoggerMessage(LogLevel.Information, "Replay: {Done}/{Total} sent, {Failed} failed.")]
    private static partial void LogProgress(ILogger logger, int done, int total, int failed);

    [LoggerMessage(LogLevel.Information, "Replay finished: {Delivered} delivered, {Failed} failed.")]
    private static partial void LogDone(ILogger logger, int delivered, int failed);

    [LoggerMessage(LogLevel.Warning, "Parley refused {Delivery} with {Status}: {Body}")]
    private static partial void LogRefused(ILogger logger, string delivery, int status, string body);

    [LoggerMessage(LogLevel.Warning, "Gave up on {Delivery} after {Attempts} attempts: {Problem}")]
    private static partial void LogGaveUp(ILogger logger, string delivery, int attempts, string problem);
}
