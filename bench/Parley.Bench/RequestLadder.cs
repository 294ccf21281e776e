using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Parley.Channels;
using Parley.Channels.X;
using Parley.Data;
using Parley.Ingest;

namespace Parley.Bench;

/// <summary><c>ladder</c>: where a webhook request's CPU goes, one piece at a time. The same load generator
/// and bodies drive endpoints that each add one piece of Parley's X webhook path, from bare Kestrel to the
/// real endpoint, all in this one process (the inbound processor stopped, so only the request path runs).
/// Each rung reports the process's CPU time and allocations per request (server and generator together);
/// the difference between neighbouring rungs is what that piece costs.</summary>
public static class RequestLadder
{
    /// <param name="Climb">Where the rung stands on the way up (rungs are numbered as they were added, so that older
    /// commands keep their meaning).</param>
    private sealed record Rung(string Name, string Path, int Climb);

    private static readonly Rung[] Rungs =
    [
        new("bare Kestrel (its own app; body drained)", "bare", 0),
        new("Parley's app, whole middleware pipeline, trivial endpoint (body drained)", "/webhooks/ladder-1/", 1),
        new("+ short-circuit at routing and the receiver's guard (AsWebhookReceiver)", "/webhooks/ladder-2/", 2),
        new("+ body read as Parley reads it (WebhookBody), channel looked up", "/webhooks/ladder-3/", 3),
        new("+ signature (XSignature.Verify)", "/webhooks/ladder-4/", 4),
        new("+ check (InboundParsers.CheckAtIngest: XWebhookCheck)", "/webhooks/ladder-5/", 5),
        new("+ acknowledgement through IngestWriter, a store that does nothing (the real handler)", "/webhooks/ladder-6/", 6),
        new("+ the store blocks its thread as long as a commit takes, doing nothing", "/webhooks/ladder-7/", 7),
        new("+ the real store (Parley's /webhooks/x endpoint)", "/webhooks/x/", 9),
        new("+ the ingest journal's append and fdatasync (ADR 45), nothing moved into the database", "/webhooks/ladder-9/", 8),
    ];

    public static async Task<int> RunAsync(BenchOptions o)
    {
        const int pool = 50_000;
        var bodies = new TweetBodies(ParleyUnderTest.ConsumerSecret, o.CustomerPool());
        bodies.Prepare(pool);
        Say($"ladder on {o.Database}: {Environment.ProcessorCount} cores, {o.Connections} connections, {o.WarmupSeconds} s warm-up and {o.Seconds} s "
            + $"per rung, {o.Rounds} rounds (every other one top down); bodies of {bodies.Length:N0} bytes; load average {LoadAverage()}");

        var noStore = Writer(o, (_, _) => { });
        // As long as the real store's commit (a disk flush) takes, on the thread as SQLite's does, with no CPU: how waiting
        // for the disk changes the cost of the rest (requests grouped, threads put to sleep and woken).
        var sleeper = Writer(o, (_, _) => Thread.Sleep(TimeSpan.FromMilliseconds(o.CommitMs)));
        // The real journal in a folder of its own, on the writer's thread as on SQLite, with a mover that keeps up at no
        // cost: every record counts as in the database once appended, so closed segments are recycled at once. What
        // rung 8 (the real endpoint) adds to this is the mover's copy into SQLite and its checkpoints.
        var journalFolder = Directory.CreateTempSubdirectory("parley-ladder-journal-").FullName;
        var journal = Parley.Ingest.Journal.IngestJournal.Open(journalFolder, Parley.Ingest.Journal.JournalSettings.DefaultSegmentBytes, 0,
            NullLogger.Instance, out _);
        var journalled = Writer(o, (batch, ids) =>
        {
            journal.Append(batch, ids);
            journal.Moved(ids[batch.Count - 1]);
        });
        await noStore.StartAsync(CancellationToken.None);
        await sleeper.StartAsync(CancellationToken.None);
        await journalled.StartAsync(CancellationToken.None);


        var (bare, bareUrl) = await BareKestrel.StartAsync();
        await using var parley = await ParleyUnderTest.StartAsync(o.IsPostgres ? o.Postgres : null, app => MapRungs(app, Ingest(noStore), Ingest(sleeper), Ingest(journalled)));
        await parley.CreateXChannelAsync();
        await parley.App.Services.GetRequiredService<InboundProcessor>().StopAsync(CancellationToken.None);
        var writers = new Dictionary<int, IngestWriter>
        {
            [6] = noStore, [7] = sleeper, [8] = parley.App.Services.GetRequiredService<IngestWriter>(), [9] = journalled,
        };
        var store = parley.App.Services.GetRequiredService<RawDeliveryStore>();

        await IdleAsync("idle after start");

        var generators = Rungs.Select(r => new LoadGenerator(
            r.Path == "bare" ? BareKestrel.WebhookUri(bareUrl) : new Uri(parley.Url, r.Path + parley.ChannelId), bodies, o.Connections)).ToArray();
        var cycle = -1L;
        long Next() => Interlocked.Increment(ref cycle) % pool;

        var climbed = (o.Rungs?.Where(r => r < Rungs.Length).Distinct() ?? Enumerable.Range(0, Rungs.Length)).OrderBy(r => Rungs[r].Climb).ToArray();
        var results = new (double CpuUs, long Bytes, double Rate, double P99)[o.Rounds, Rungs.Length];
        for (var round = 0; round < o.Rounds; round++)
        {
            IEnumerable<int> order = climbed;
            if (round % 2 == 1) order = order.Reverse();
            foreach (var i in order)
            {
                var generator = generators[i];
                await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Next, null);
                var load = LoadAverage();
                var writerBefore = writers.GetValueOrDefault(i)?.Totals;
                var serverBefore = i == 8 ? PostgresCpu.Of(store) : null;
                var switchesBefore = ContextSwitches.OfProcess();
                var cpu = CpuMeter.Start();
                var allocated = GC.GetTotalAllocatedBytes();
                var r = await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.Seconds), Next, null);
                var used = cpu.Stop();
                var completed = Math.Max(1, r.Completed);
                var switches = ContextSwitches.OfProcess() is var (v1, n1) && switchesBefore is var (v0, n0)
                    ? string.Create(CultureInfo.InvariantCulture, $"; context switches per request {(double)(v1 - v0) / completed:0.00} voluntary, {(double)(n1 - n0) / completed:0.00} involuntary")
                    : "";
                var server = serverBefore is { } sb && PostgresCpu.Of(store) is { } sa && sa.Backend == sb.Backend
                    ? string.Create(CultureInfo.InvariantCulture, $"; PostgreSQL's process for the raw store {(sa.Ms - sb.Ms) * 1000.0 / completed:0.0} µs CPU per request more")
                    : "";
                var cpuUs = used.ShareOfAllCores * Environment.ProcessorCount * r.Seconds * 1e6 / completed;
                var bytes = (GC.GetTotalAllocatedBytes() - allocated) / completed;
                results[round, i] = (cpuUs, bytes, r.Rate, r.Service.Percentile(99));
                var grouping = "";
                if (writerBefore is var (c0, r0, t0) && writers[i].Totals is var (c1, r1, t1) && c1 > c0)
                    grouping = $"; {(double)(r1 - r0) / (c1 - c0):0.0} requests a commit, {Latencies.Ms((t1 - t0) / (c1 - c0)):0.00} ms a commit";
                Say($"round {round + 1}, rung {i} {Rungs[i].Name}: {r.Rate:N0} req/s, {cpuUs:N1} µs CPU and {bytes:N0} bytes per request, "
                    + $"p99 {r.Service.Percentile(99):0.0} ms, {r.Errors} errors, CPU {used}{grouping}{switches}{server}; load average {load}");
            }
        }

        await IdleAsync("idle after the rungs");
        await noStore.StopAsync(CancellationToken.None);
        await sleeper.StopAsync(CancellationToken.None);
        await journalled.StopAsync(CancellationToken.None);
        journal.Dispose();
        Directory.Delete(journalFolder, recursive: true);
        foreach (var g in generators) g.Dispose();
        await bare.StopAsync();
        await bare.DisposeAsync();

        Console.WriteLine();
        Console.WriteLine(Render(results, o.Rounds, climbed));
        return 0;
    }

    /// <summary>What the process costs with no requests at all (Parley's background services and timers, the JIT):
    /// a cost per second, spread over fewer requests the lower a rung's rate.</summary>
    private static async Task IdleAsync(string when)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var idle = CpuMeter.Start();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var ms = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds
            / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        Say($"{when}: {ms:0} ms CPU a second ({idle.Stop()}); load average {LoadAverage()}");
    }

    /// <summary>The process's context switches so far (all threads, getrusage): voluntary ones are a thread going to sleep
    /// (and so, most often, a wake-up later), involuntary ones the scheduler taking a core away.</summary>
    private static class ContextSwitches
    {
        public static (long Voluntary, long Involuntary) OfProcess()
        {
            var usage = new long[18];
            return GetRusage(0, usage) == 0 ? (usage[16], usage[17]) : (0, 0);
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
        private static extern int GetRusage(int who, [System.Runtime.InteropServices.Out] long[] usage);
    }

    /// <summary>The CPU time PostgreSQL's server process for the raw store's connection has used (utime + stime from
    /// /proc, in ms): the server's share of a request, which this process's CPU does not include. Null on SQLite, or
    /// when the server runs where /proc cannot see it.</summary>
    private static class PostgresCpu
    {
        public static (int Backend, double Ms)? Of(RawDeliveryStore store)
        {
            if (store.PostgresBackend is not { } pid) return null;
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // fields[11], fields[12]: utime, stime (the 14th and 15th of the line), in clock ticks of 10 ms
                return (pid, (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0);
            }
            catch (IOException) { return null; }
        }
    }

    private static IngestWriter Writer(BenchOptions o, IngestWriter.CommitBatch commit) =>
        new(commit, () => Task.CompletedTask, new WriteGate(exclusive: !o.IsPostgres), new ParsedDeliveries(), new InboundSignal(),
            NullLogger<IngestWriter>.Instance);

    private static WebhookIngest Ingest(IngestWriter writer) => new(writer, TimeProvider.System, Options.Create(new IngestOptions()));

    /// <summary>The rungs between bare Kestrel and the real endpoint, at the webhook route's shape.</summary>
    private static void MapRungs(WebApplication app, WebhookIngest noStore, WebhookIngest sleeper, WebhookIngest journalled)
    {
        const string tail = "{channelId:guid}";
        app.MapPost("/webhooks/ladder-1/" + tail, DrainAsync);
        app.MapPost("/webhooks/ladder-2/" + tail, DrainAsync).AsWebhookReceiver();
        for (var depth = 3; depth <= 5; depth++)
        {
            var d = depth;
            app.MapPost($"/webhooks/ladder-{d}/" + tail, (Guid channelId, HttpRequest request, ChannelDirectory channels, CancellationToken ct) =>
                ClimbAsync(d, channelId, request, channels, noStore, ct)).AsWebhookReceiver();
        }
        MapReceiver(app, "/webhooks/ladder-6/" + tail, noStore);
        MapReceiver(app, "/webhooks/ladder-7/" + tail, sleeper);
        MapReceiver(app, "/webhooks/ladder-9/" + tail, journalled);
    }

    /// <summary>Parley's X receiver itself, over another writer.</summary>
    private static void MapReceiver(WebApplication app, string pattern, WebhookIngest ingest) =>
        app.MapPost(pattern, (Guid channelId, HttpRequest request, ChannelDirectory channels, CancellationToken ct) =>
            XWebhookEndpoints.ReceiveAsync(channelId, request, channels, ingest, ct)).AsWebhookReceiver();

    private static async Task<IResult> DrainAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync();
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) return Results.Ok();
        }
    }

    /// <summary>The real handler's first <paramref name="depth"/> pieces, then 200.</summary>
    private static async Task<IResult> ClimbAsync(int depth, Guid channelId, HttpRequest request, ChannelDirectory channels, WebhookIngest ingest,
        CancellationToken ct)
    {
        var body = await WebhookBody.ReadAsync(request, ingest.MaxBodyBytes, ct);
        if (body is null) return WebhookIngest.TooLarge(ingest.MaxBodyBytes);
        var channel = await channels.FindAsync(channelId, ct);
        if (channel?.X is null) return WebhookIngest.UnknownChannel(channelId, "x");
        if (depth >= 4 && !XSignature.Verify(channel.X.ConsumerSecret, body, request.Headers[XSignature.Header]))
            return WebhookIngest.BadSignature(XSignature.Header);
        if (depth >= 5) InboundParsers.CheckAtIngest(InboundParsers.XWebhook, body, channel);
        return Results.Ok();
    }

    private static string Render((double CpuUs, long Bytes, double Rate, double P99)[,] results, int rounds, int[] climbed)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"| rung | {string.Join(" | ", Enumerable.Range(1, rounds).Select(r => $"round {r}: CPU, allocated per request; req/s (× bare)"))} | step (mean CPU) |");
        s.AppendLine($"|---|{string.Concat(Enumerable.Repeat("---|", rounds))}---|");
        double? previous = null;
        foreach (var i in climbed)
        {
            var cells = Enumerable.Range(0, rounds).Select(r =>
            {
                var x = results[r, i];
                var ratio = climbed[0] == 0 ? string.Create(CultureInfo.InvariantCulture, $" ({x.Rate / results[r, 0].Rate:0.00} ×)") : "";
                return string.Create(CultureInfo.InvariantCulture, $"{x.CpuUs:0.0} µs, {x.Bytes / 1024.0:0.0} KB; {x.Rate:N0}{ratio}");
            });
            var mean = Enumerable.Range(0, rounds).Average(r => results[r, i].CpuUs);
            var step = previous is { } p ? string.Create(CultureInfo.InvariantCulture, $"{mean - p:+0.0;-0.0} µs") : "";
            previous = mean;
            s.AppendLine(CultureInfo.InvariantCulture, $"| {i} {Rungs[i].Name} | {string.Join(" | ", cells)} | {step} |");
        }
        return s.ToString();
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static void Say(string line) => Console.Error.WriteLine(line);
}
