using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Parley.BenchKit;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.FanoutBench;

/// <summary>Parley's server in a child process of its own (this program run as <c>parley-child</c>), so its memory
/// is measured alone, with two endpoints for the benchmark beside Parley's: <c>/bench/memory</c> (working set and
/// GC heap, read inside the process) and <c>/bench/events</c>, which appends events at a steady rate the way
/// Parley's writers do: committed in small transactions, then <see cref="EventSignal"/> pulsed.</summary>
public sealed class ParleyChild : IAsyncDisposable
{
    public const string Command = "parley-child";
    public const string AdminKey = "pk_fanout_bench_admin_0123456789";

    private readonly ParleyServerProcess _server;

    private ParleyChild(ParleyServerProcess server) => _server = server;

    private HttpClient Api => _server.Api;

    public static async Task<ParleyChild> StartAsync(FanoutOptions options)
    {
        var database = await ThrowawayDatabase.CreateAsync("fanout", options.IsPostgres ? options.Postgres : null);
        // Parley's own runtime settings (server GC, no thread-pool spinning), not this program's, so the child runs as
        // Parley does in production.
        var bench = typeof(ParleyChild).Assembly.Location;
        var runtime = Path.Combine(Path.GetDirectoryName(bench)!, "Parley.runtimeconfig.json");
        var environment = new Dictionary<string, string>
        {
            // The receivers are on this machine, which production refuses.
            ["Parley__Webhooks__AllowPrivateAddresses"] = "true",
        };
        if (options.Parallelism > 0) environment["Parley__Webhooks__Parallelism"] = options.Parallelism.ToString(CultureInfo.InvariantCulture);
        return new ParleyChild(await ParleyServerProcess.StartAsync(database, ["exec", "--runtimeconfig", runtime, bench, Command], AdminKey, environment));
    }

    public Task<JsonElement> PostAsync(string path, object? body) => _server.PostAsync(path, body);

    public async Task<ProcessSample> MemoryAsync() => (await Api.GetFromJsonAsync<ProcessSample>("/bench/memory"))!;

    public async Task<WriterStatus> WriterAsync() => (await Api.GetFromJsonAsync<WriterStatus>("/bench/events"))!;

    public async Task<Dictionary<string, StageWindow>> StagesAsync(bool total) =>
        (await Api.GetFromJsonAsync<Dictionary<string, StageWindow>>($"/bench/stages?total={total}"))!;

    /// <summary>Waits until every subscription's follower has started, so the run measures delivery, not the
    /// supervisor's look-up of new subscriptions (once a second).</summary>
    public async Task WaitForFollowersAsync(int subscriptions)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await Api.GetFromJsonAsync<int>("/bench/followers") < subscriptions)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not all {subscriptions} subscriptions were followed within 30 s.");
            await Task.Delay(100);
        }
    }

    public async Task<QueueStatus> QueueAsync() => (await Api.GetFromJsonAsync<QueueStatus>("/bench/queue"))!;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>Inside the child: Parley, plus the benchmark's two endpoints.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stages = new StageTimings();
        var app = ParleyApp.Build(args);
        var writer = new EventWriter(app.Services, stages);
        app.MapGet("/bench/memory", ProcessSample.Now);
        // Where deliveries waited (FanOutMetrics and the writer's commits), since the last call or since the start.
        app.MapGet("/bench/stages", (bool? total) => stages.Take(total ?? false));
        app.MapPost("/bench/events", (double rate, int seconds, int conversations) => writer.Start(rate, TimeSpan.FromSeconds(seconds), conversations)
            ? Results.Accepted() : Results.Conflict());
        app.MapGet("/bench/events", () => writer.Status);
        // Subscriptions whose follower has taken its first step (it makes its cursor then).
        app.MapGet("/bench/followers", async (ParleyDb db) => await db.WebhookCursors.CountAsync(c => c.Name.StartsWith("webhook:")));
        // Where deliveries are: still to be queued by the fan-out (events not yet read), pending, or done.
        app.MapGet("/bench/queue", async (ParleyDb db) =>
        {
            var states = await db.WebhookDeliveries.GroupBy(d => d.State).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync();
            return new QueueStatus(states.Where(x => x.Key == Parley.Platform.Webhooks.DeliveryState.Pending).Sum(x => x.Count),
                states.Where(x => x.Key != Parley.Platform.Webhooks.DeliveryState.Pending).Sum(x => x.Count));
        });
        await app.RunAsync();
        return 0;
    }
}


public sealed record WriterStatus(bool Running, long Appended, double BehindMaxMs);

public sealed record QueueStatus(long Pending, long Done);

/// <summary>Appends <c>conversation.bench</c> events at a steady rate: every 10 ms, the events now due, in one
/// transaction, then a pulse to the fan-out, as a burst of Parley's own use cases would; like Parley's busy writers
/// (ingest), it takes its turn at the <see cref="WriteGate"/> (on SQLite). Its commits are timed
/// (<c>writer.commit</c>: from the events' occurredAt to the end of the commit).</summary>
public sealed class EventWriter(IServiceProvider services, StageTimings stages)
{
    private int _running;
    private long _appended;
    private double _behindMaxMs;

    public WriterStatus Status => new(Volatile.Read(ref _running) == 1, Interlocked.Read(ref _appended), _behindMaxMs);

    public bool Start(double rate, TimeSpan length, int conversations)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) return false;
        _ = Task.Run(() => RunAsync(rate, length, conversations));
        return true;
    }

    private async Task RunAsync(double rate, TimeSpan length, int conversations)
    {
        try
        {
            var subjects = Enumerable.Range(0, conversations).Select(_ => Guid.NewGuid()).ToArray();
            var signal = services.GetRequiredService<EventSignal>();
            var gate = services.GetRequiredService<WriteGate>();
            var clock = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            long sent = 0;
            while (clock.Elapsed < length && await timer.WaitForNextTickAsync())
            {
                var due = (long)(rate * clock.Elapsed.TotalSeconds) - sent;
                if (due <= 0) continue;
                var tick = clock.Elapsed;
                await using (var scope = services.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                    var now = DateTimeOffset.UtcNow;
                    for (var i = 0; i < due; i++)
                    {
                        var n = sent + i;
                        var conversation = subjects[n % subjects.Length];
                        db.Append("conversation.bench", $"conversations/{conversation}", null, new { conversationId = conversation, n }, now);
                    }
                    // Taking turns with the process's other busy writers, as Parley's ingest does (WriteGate).
                    using (await gate.EnterAsync(CancellationToken.None)) await db.SaveChangesAsync();
                    stages.Add("writer.commit", (DateTimeOffset.UtcNow - now).TotalMilliseconds);
                }
                signal.Pulse();
                sent += due;
                Interlocked.Exchange(ref _appended, sent);
                _behindMaxMs = Math.Max(_behindMaxMs, (clock.Elapsed - tick).TotalMilliseconds);
            }
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
