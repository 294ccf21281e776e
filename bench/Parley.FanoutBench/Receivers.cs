using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Parley.FanoutBench;

/// <summary>The subscribers' endpoints, one path each (<c>/r/0</c> ...), on one Kestrel server in this process. The
/// first <c>failing</c> answer 500 to everything; the others record each delivery's delay: the moment it arrived
/// minus the event's <c>occurredAt</c> (both clocks are this machine's).</summary>
public sealed class Receivers : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _failing;
    private long _failed;

    public DelayHistogram Delays { get; private set; } = new();
    private DelayHistogram _window = new();
    private long[] _perReceiver;
    public string BaseUrl { get; }
    public long Failed => Interlocked.Read(ref _failed);

    private Receivers(WebApplication app, int failing, int count)
    {
        _app = app;
        _perReceiver = new long[count];
        _failing = failing;
        BaseUrl = app.Urls.First();
    }

    public static async Task<Receivers> StartAsync(int failing, int count)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        var app = builder.Build();
        Receivers? receivers = null;
        app.MapPost("/r/{n:int}", (int n, HttpRequest request) => receivers!.ReceiveAsync(n, request));
        await app.StartAsync();
        receivers = new Receivers(app, failing, count);
        return receivers;
    }

    public string UrlOf(int n) => $"{BaseUrl}/r/{n}";

    /// <summary>Starts counting afresh (between the baseline and Parley's run).</summary>
    public void Reset()
    {
        Delays = new DelayHistogram();
        _window = new DelayHistogram();
        _perReceiver = new long[_perReceiver.Length];
        Interlocked.Exchange(ref _failed, 0);
    }

    /// <summary>The delays received since the last call, so a report can show how the delay moves over the run.</summary>
    public DelayHistogram TakeWindow() => Interlocked.Exchange(ref _window, new DelayHistogram());

    /// <summary>Receipts so far at each healthy receiver (one per subscription).</summary>
    public long[] PerReceiver() => [.. _perReceiver.Skip(_failing)];

    private async Task<IResult> ReceiveAsync(int n, HttpRequest request)
    {
        var at = DateTimeOffset.UtcNow;
        if (n < _failing)
        {
            Interlocked.Increment(ref _failed);
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }
        using var body = await JsonDocument.ParseAsync(request.Body);
        // Every receipt is timed; a repeat of a delivery (at least once) would be counted twice, which the
        // report shows as more receipts than events times healthy subscriptions.
        var delay = (at - body.RootElement.GetProperty("occurredAt").GetDateTimeOffset()).TotalMilliseconds;
        Delays.Add(delay);
        Volatile.Read(ref _window).Add(delay);
        Interlocked.Increment(ref _perReceiver[n]);
        return Results.Ok();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
