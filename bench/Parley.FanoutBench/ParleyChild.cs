using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
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

    private readonly Process _process;
    private readonly string _folder;
    private readonly string? _pgAdmin;
    private readonly string? _pgDatabase;

    public HttpClient Api { get; }

    private ParleyChild(Process process, Uri url, string folder, string? pgAdmin, string? pgDatabase)
    {
        _process = process;
        _folder = folder;
        _pgAdmin = pgAdmin;
        _pgDatabase = pgDatabase;
        Api = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public static async Task<ParleyChild> StartAsync(FanoutOptions options)
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-fanout-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string database;
        string? pgDatabase = null;
        if (!options.IsPostgres) database = Path.Combine(folder, "parley.db");
        else
        {
            pgDatabase = "parley_fanout_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new NpgsqlConnection(options.Postgres))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {pgDatabase}", admin);
                await create.ExecuteNonQueryAsync();
            }
            database = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = pgDatabase }.ConnectionString;
        }

        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Parley's own runtime settings (server GC, no thread-pool spinning), not this program's, so the child runs as
        // Parley does in production.
        var bench = typeof(ParleyChild).Assembly.Location;
        var runtime = Path.Combine(Path.GetDirectoryName(bench)!, "Parley.runtimeconfig.json");
        foreach (var a in new[] { "exec", "--runtimeconfig", runtime, bench, Command, "--urls", url.ToString().TrimEnd('/') }) start.ArgumentList.Add(a);
        start.Environment["Parley__Database"] = database;
        start.Environment["Parley__KeysPath"] = Path.Combine(folder, "keys");
        start.Environment["Parley__AdminKey"] = AdminKey;
        // The receivers are on this machine, which production refuses.
        start.Environment["Parley__Webhooks__AllowPrivateAddresses"] = "true";
        if (options.Parallelism > 0) start.Environment["Parley__Webhooks__Parallelism"] = options.Parallelism.ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Parley did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var child = new ParleyChild(process, url, folder, options.Postgres, pgDatabase);
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Parley exited with {process.ExitCode} while starting.");
            try
            {
                using var health = await child.Api.GetAsync("/healthz");
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("Parley did not answer /healthz within 120 s.");
            await Task.Delay(200);
        }
        return child;
    }

    public async Task<JsonElement> PostAsync(string path, object? body)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_pgAdmin is not null && _pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_pgAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

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
