using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Parley.Bench;

/// <summary>An acknowledged request: which tweet, and when (Stopwatch ticks) its 200 arrived.</summary>
public readonly record struct Ack(long TweetId, long At);

public sealed record ClosedLoopResult(long Completed, long Errors, double Seconds, Latencies Service)
{
    public double Rate => Completed / Seconds;
}

public sealed record OpenLoopResult(
    double TargetRate, long Scheduled, long Completed, long Errors, double Seconds, double DrainSeconds, bool Abandoned,
    Latencies FromSchedule, Latencies Service, Latencies Lateness)
{
    /// <summary>Acknowledged requests per second, from the first scheduled send to the last answer.</summary>
    public double AchievedRate => Completed / (Seconds + DrainSeconds);

    /// <summary>The rate was held when every request was answered, none failed, and the answers kept up
    /// with the schedule (the last came within a second of the last scheduled send).</summary>
    public bool Sustained => !Abandoned && Errors == 0 && Completed == Scheduled && DrainSeconds <= 1.0;
}

/// <summary>Sends signed webhook bodies over loopback with HTTP/1.1 keep-alive connections.</summary>
public sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly TweetBodies _bodies;
    private readonly ConcurrentDictionary<string, int> _failures = new();

    public LoadGenerator(Uri uri, TweetBodies bodies, int connections)
    {
        _uri = uri;
        _bodies = bodies;
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = TimeSpan.FromSeconds(180),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>Requests not acknowledged so far, by answer ("HTTP 503") or by exception type.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>Sends body <paramref name="index"/>; returns true on 200.</summary>
    private async Task<bool> SendAsync(long index)
    {
        var body = _bodies.Get(index);
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri)
        {
            Content = new ByteArrayContent(body.Buffer, body.Offset, body.Length),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("x-twitter-webhooks-signature", body.Signature);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            if (response.StatusCode == HttpStatusCode.OK) return true;
            _failures.AddOrUpdate($"HTTP {(int)response.StatusCode}", 1, (_, n) => n + 1);
            return false;
        }
        catch (Exception e)
        {
            // Any failure is a request not acknowledged: count it by kind, keep the run going.
            _failures.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
            return false;
        }
    }

    /// <summary>Closed loop: each of <paramref name="workers"/> sends its next request as soon as the
    /// previous one is answered, for <paramref name="duration"/>. Counts requests answered inside the window.</summary>
    /// <param name="nextIndex">Hands out body indexes (a fresh tweet per request, or a cycle for the baseline).</param>
    /// <param name="acks">Receives each acknowledged tweet, when not null.</param>
    public async Task<ClosedLoopResult> RunClosedAsync(int workers, TimeSpan duration, Func<long> nextIndex, ConcurrentQueue<Ack>? acks)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + Latencies.Ticks(duration);
        var samples = new List<long>[workers];
        long completed = 0, errors = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = samples[w] = new List<long>(1 << 16);
            long ok = 0, failed = 0;
            while (true)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= end) break;
                var index = nextIndex();
                var success = await SendAsync(index);
                var answered = Stopwatch.GetTimestamp();
                // Answered after the window: still acknowledged (the exactly-once check needs it), not counted in the rate.
                if (success) acks?.Enqueue(new Ack(TweetBodies.TweetIdOf(index), answered));
                if (answered > end) break;
                if (success)
                {
                    ok++;
                    mine.Add(answered - sent);
                }
                else failed++;
            }
            Interlocked.Add(ref completed, ok);
            Interlocked.Add(ref errors, failed);
        })));
        return new ClosedLoopResult(completed, errors, Latencies.Ms(end - start) / 1000, new Latencies(samples.SelectMany(s => s)));
    }

    /// <summary>Open loop: request <c>i</c> is due at <c>start + i / rate</c> whether or not earlier ones
    /// were answered; latency runs from the due time, so a stall is charged to every request it
    /// delays (no coordinated omission). At most <c>connections</c> are in flight on the wire; the rest
    /// wait in the client's queue, on the clock. When more than <paramref name="maxBacklog"/> requests
    /// are waiting for an answer the rate is plainly not sustained: scheduling stops there (the result
    /// says so) rather than queueing minutes of requests that would time out.</summary>
    public async Task<OpenLoopResult> RunOpenAsync(double rate, TimeSpan duration, Func<long> nextIndex, ConcurrentQueue<Ack> acks, long maxBacklog)
    {
        var interval = Stopwatch.Frequency / rate;
        var scheduled = (long)(rate * duration.TotalSeconds);
        var abandoned = false;
        var fromSchedule = new ConcurrentQueue<long>();
        var service = new ConcurrentQueue<long>();
        var lateness = new ConcurrentQueue<long>();
        long completed = 0, errors = 0, outstanding = 1;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task OneAsync(long due)
        {
            try
            {
                var index = nextIndex();
                var sent = Stopwatch.GetTimestamp();
                lateness.Enqueue(sent - due);
                var ok = await SendAsync(index);
                var answered = Stopwatch.GetTimestamp();
                if (ok)
                {
                    Interlocked.Increment(ref completed);
                    fromSchedule.Enqueue(answered - due);
                    service.Enqueue(answered - sent);
                    acks.Enqueue(new Ack(TweetBodies.TweetIdOf(index), answered));
                }
                else Interlocked.Increment(ref errors);
            }
            finally
            {
                if (Interlocked.Decrement(ref outstanding) == 0) allDone.TrySetResult();
            }
        }

        var start = Stopwatch.GetTimestamp();
        var next = 0L;
        while (next < scheduled)
        {
            var now = Stopwatch.GetTimestamp();
            for (; next < scheduled; next++)
            {
                var due = start + (long)(next * interval);
                if (due > now) break;
                Interlocked.Increment(ref outstanding);
                _ = OneAsync(due);
            }
            if (Interlocked.Read(ref outstanding) > maxBacklog)
            {
                abandoned = true;
                scheduled = next;
                break;
            }
            if (next < scheduled) await Task.Delay(1);
        }
        var lastDue = start + (long)((scheduled - 1) * interval);
        if (Interlocked.Decrement(ref outstanding) == 0) allDone.TrySetResult();
        await allDone.Task;
        var finished = Stopwatch.GetTimestamp();
        return new OpenLoopResult(rate, scheduled, completed, errors,
            Latencies.Ms(lastDue - start) / 1000, Math.Max(0, Latencies.Ms(finished - lastDue) / 1000), abandoned,
            new Latencies(fromSchedule), new Latencies(service), new Latencies(lateness));
    }

    public void Dispose() => _client.Dispose();
}
