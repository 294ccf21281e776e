using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Parley.Bench;

/// <summary>Follows <c>GET /api/v1/events/stream</c> as an API client would, and notes when each
/// <c>message.received</c> event arrives, keyed by the tweet id in <c>data.externalId</c>.</summary>
public sealed class EventStreamWatcher : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, long> _arrivals = new();
    private Task _reading = Task.CompletedTask;
    private long _events;

    public EventStreamWatcher(Uri server, string apiKey)
    {
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>When each tweet's message became readable, in Stopwatch ticks.</summary>
    public IReadOnlyDictionary<long, long> Arrivals => _arrivals;

    public long EventsSeen => Interlocked.Read(ref _events);

    /// <summary>Subscribes after <paramref name="after"/> (an event id) and returns once the stream is open.</summary>
    public async Task StartAsync(Guid? after)
    {
        var path = after is { } cursor ? $"/api/v1/events/stream?after={cursor}" : "/api/v1/events/stream";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var response = await _client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
        _reading = Task.Run(() => ReadAsync(response, stream));
    }

    private async Task ReadAsync(HttpResponseMessage response, Stream stream)
    {
        using var _ = response;
        using var reader = new StreamReader(stream);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var at = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _events);
                using var doc = JsonDocument.Parse(line.AsMemory(5));
                var root = doc.RootElement;
                if (root.GetProperty("type").GetString() != "message.received") continue;
                var externalId = root.GetProperty("data").GetProperty("externalId").GetString();
                if (long.TryParse(externalId, NumberStyles.None, CultureInfo.InvariantCulture, out var tweetId))
                    _arrivals.TryAdd(tweetId, at);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
    }

    /// <summary>Waits until every tweet in <paramref name="tweetIds"/> has arrived, or <paramref name="timeout"/> passes.</summary>
    /// <returns>How many never arrived.</returns>
    public async Task<int> WaitForAsync(IReadOnlyCollection<long> tweetIds, TimeSpan timeout)
    {
        var until = Stopwatch.GetTimestamp() + Latencies.Ticks(timeout);
        while (true)
        {
            var missing = tweetIds.Count(id => !_arrivals.ContainsKey(id));
            if (missing == 0 || Stopwatch.GetTimestamp() > until || _reading.IsCompleted) return missing;
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; }
        catch (Exception e) when (e is HttpRequestException or IOException or ObjectDisposedException) { }
        _client.Dispose();
        _stop.Dispose();
    }
}
