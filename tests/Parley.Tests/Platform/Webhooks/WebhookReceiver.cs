using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Parley.Tests.Platform.Webhooks;

/// <summary>A real HTTP endpoint on Kestrel that a department's software would run, with moods the test sets:
/// answering, failing with 500, answering too slowly, or not listening at all.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public enum Mood { Ok, Fail, Slow }

    public sealed record Received(string DeliveryId, string EventId, string Signature, string Body, int Status, DateTimeOffset At);

    private WebApplication? _app;
    private int _port;
    public Mood Current { get; set; } = Mood.Ok;
    /// <summary>When set, decides the mood of each request by its number (1, 2, ...).</summary>
    public Func<int, Mood>? MoodOf { get; set; }
    public TimeSpan SlowFor { get; set; } = TimeSpan.FromSeconds(3);
    public ConcurrentQueue<Received> Requests { get; } = new();
    private int _count;

    public string Url => $"http://127.0.0.1:{_port}/hooks";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.UpAsync();
        return receiver;
    }

    /// <summary>Starts listening (again, on the same port after <see cref="DownAsync"/>).</summary>
    public async Task UpAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        var app = builder.Build();
        app.MapPost("/hooks", HandleAsync);
        await app.StartAsync();
        _port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    /// <summary>Stops listening: connections are refused until <see cref="UpAsync"/>.</summary>
    public async Task DownAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var n = Interlocked.Increment(ref _count);
        var mood = MoodOf?.Invoke(n) ?? Current;
        var status = mood == Mood.Fail ? 500 : 200;
        Requests.Enqueue(new Received(request.Headers["Parley-Delivery-Id"].ToString(), request.Headers["Parley-Event-Id"].ToString(),
            request.Headers["Parley-Signature"].ToString(), body, status, DateTimeOffset.UtcNow));
        // A slow answer still "accepts" the event on this side, but Parley has given up by then: the
        // at-least-once case that the idempotency id is for.
        if (mood == Mood.Slow) await Task.Delay(SlowFor);
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync() => await DownAsync();
}
