using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Channels;
using Parley.Channels.X;
using Parley.Data;
using Parley.Ingest;
using Parley.Triage;

namespace Parley.Bench;

/// <summary><c>breakdown</c>: takes the ingest path apart to show where the time goes, without
/// changing Parley. The pieces of a request on one thread; ingest alone with the inbound processor
/// stopped (so the two writers do not meet); storing raw deliveries through EF Core against plain
/// ADO.NET inserts; and processing stored deliveries as Parley does it against the same work with
/// the change tracker emptied after each delivery.</summary>
public static class IngestBreakdown
{
    private const int SmallBatch = 16;
    private const int GatheredBatch = 48;

    public static async Task<int> RunAsync(BenchOptions o)
    {
        using var diagnostics = new Diagnostics();
        var bodies = new TweetBodies(ParleyUnderTest.ConsumerSecret, o.CustomerPool());
        bodies.Prepare(50_000);
        Say($"breakdown on {o.Database}: {Environment.ProcessorCount} cores, {o.Connections} connections, {o.Seconds} s runs; "
            + $"the first 50,000 tweets from {bodies.Customers.Describe()}");

        // Bare Kestrel again, so the ratios below compare numbers from the same run.
        var bareRate = await MeasureBareAsync(bodies, o, "bare Kestrel");
        bodies.Prepare((int)Math.Min(bareRate * (o.WarmupSeconds + o.Seconds) * 1.1 + 20_000, 4_000_000));

        await using var parley = await ParleyUnderTest.StartAsync(o.IsPostgres ? o.Postgres : null);
        var webhook = await parley.CreateXChannelAsync();
        var channel = await parley.App.Services.GetRequiredService<ChannelDirectory>().FindAsync(parley.ChannelId, default)
            ?? throw new InvalidOperationException("The channel just created was not found.");

        // 1. The pieces of one request, on one thread.
        Micro("XSignature.Verify (HMAC-SHA256 of the body)", 20_000, i =>
        {
            var b = bodies.Get(i);
            if (!XSignature.Verify(ParleyUnderTest.ConsumerSecret, b.Buffer.AsSpan(b.Offset, b.Length), b.Signature)) throw new InvalidOperationException("bad signature");
        });
        Micro("System.Text.Json JsonDocument.Parse of the same body, for scale", 20_000, i =>
        {
            var b = bodies.Get(i);
            using var doc = System.Text.Json.JsonDocument.Parse(b.Buffer.AsMemory(b.Offset, b.Length));
        });
        Micro("System.Text.Json Utf8JsonReader over the same body (every token, nothing kept), for scale", 20_000, i =>
        {
            var b = bodies.Get(i);
            var reader = new System.Text.Json.Utf8JsonReader(b.Buffer.AsSpan(b.Offset, b.Length));
            while (reader.Read()) { }
        });
        Micro("XWebhookCheck.Check (done at ingest since ADR 30: the parser's verdict, nothing built)", 20_000, i =>
        {
            var b = bodies.Get(i);
            XWebhookCheck.Check(b.Buffer.AsSpan(b.Offset, b.Length), channel.X!);
        });
        Micro("InboundParsers.Parse (done when processing; at ingest too before ADR 30)", 20_000, i =>
        {
            var b = bodies.Get(i);
            InboundParsers.Parse(InboundParsers.XWebhook, b.Buffer.AsSpan(b.Offset, b.Length).ToArray(), channel);
        });

        // The ingest writer's commit, as IngestWriter runs it: a batch of 32 rows in one transaction. Rows are
        // marked processed so the processor leaves them alone.
        if (!o.IsPostgres)
        {
            // These lines write raw rows behind the ingest writer's back. On SQLite the ingest journal gives ids itself
            // (docs/adr/0045), so rows written here take theirs far above any it will give in this run.
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection(DatabaseSetup.SqliteConnectionString(parley.Database));
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = """UPDATE "sqlite_sequence" SET "seq" = 1000000000000 WHERE "name" = 'InboundEvents'; INSERT INTO "sqlite_sequence" ("name", "seq") SELECT 'InboundEvents', 1000000000000 WHERE NOT EXISTS (SELECT 1 FROM "sqlite_sequence" WHERE "name" = 'InboundEvents')""";
            await cmd.ExecuteNonQueryAsync();
        }
        {
            await using var store = new RawDeliveryStore(o.IsPostgres, o.IsPostgres ? parley.Database : DatabaseSetup.SqliteConnectionString(parley.Database));
            var rawBody = bodies.Get(0);
            var rows = Enumerable.Range(0, 32).Select(_ => new InboundEvent
            {
                ChannelId = parley.ChannelId, Source = InboundParsers.XWebhook, ReceivedAt = DateTimeOffset.UtcNow,
                Body = rawBody.Buffer.AsSpan(rawBody.Offset, rawBody.Length).ToArray(), Status = InboundStatus.Processed,
            }).ToList();
            var ids = new long[rows.Count];
            if (!o.IsPostgres)
            {
                await using var c = new Microsoft.Data.Sqlite.SqliteConnection(DatabaseSetup.SqliteConnectionString(parley.Database));
                await c.OpenAsync();
                foreach (var pragma in new[] { "journal_mode", "synchronous", "page_size", "wal_autocheckpoint", "secure_delete", "auto_vacuum", "cache_size", "locking_mode", "temp_store", "mmap_size" })
                {
                    await using var cmd = c.CreateCommand();
                    cmd.CommandText = $"PRAGMA {pragma}";
                    Say($"PRAGMA {pragma} = {await cmd.ExecuteScalarAsync()}");
                }
            }
            Micro("RawDeliveryStore.StoreAsync, 32 rows a commit (per commit on the writer's thread; its checkpoints every 256 rows as in ingest)", 300, _ => store.StoreAsync(rows, ids, CancellationToken.None).GetAwaiter().GetResult(), warmup: 50);
        }

        // Triage, the pure part of processing: the core alone, and what ingest adds around it (the message in the
        // context of the customer's earlier posts, the conversation read as a whole, both stored as JSON).
        string[] texts =
        [
            "@bench my flight was cancelled and I'm stranded in Denver, nobody answers!!",
            "@bench where is my parcel? ordered 2 weeks ago, order #A12345",
            "@bench thanks, that fixed it 👍",
            "@bench you charged my card 4111 1111 1111 1111 twice, I want a refund NOW",
            "@bench is the lounge at gate 4 open before 6am?",
        ];
        var at = DateTimeOffset.UtcNow;
        Micro("PostTriage.Analyze (the pure core, one post)", 20_000, i =>
            PostTriage.Analyze(new TriageInput(texts[i % texts.Length], PostVisibility.Public, "x", at), TriageRules.Default));
        var conversationId = Guid.CreateVersion7();
        var earlier = Enumerable.Range(0, 3).Select(k => new CustomerPost(Guid.CreateVersion7(), k == 0 ? Guid.CreateVersion7() : conversationId,
            texts[(k + 1) % texts.Length], at.AddMinutes(-30 * (3 - k)), PostVisibility.Public)).ToList();
        var earlierSignals = earlier.ToDictionary(p => p.Id, p => MessageSignals.From(PostTriage.Analyze(
            new TriageInput(p.Text, p.Visibility, "x", p.At), TriageRules.Default)));
        Micro("triage as ingest runs it (message and conversation, 3 earlier posts, stored as JSON)", 20_000, i =>
        {
            var post = new CustomerPost(Guid.CreateVersion7(), conversationId, texts[i % texts.Length], at, PostVisibility.Public);
            var history = new ConversationHistory(conversationId, "x", [.. earlier, post], [], null, new CustomerProfile(48_000, false, 1, false, null));
            var result = ConversationTriage.AnalyzeMessage(post, history, BrandTriageSettings.Default);
            var signals = MessageSignals.From(result);
            _ = StoredSignals.Write(signals);
            var all = new Dictionary<Guid, MessageSignals>(earlierSignals) { [post.Id] = signals };
            var assessment = ConversationTriage.Assess(history, BrandTriageSettings.Default, all, (post.Id, result));
            _ = StoredSignals.Write(assessment.Signals);
        });

        // 2. Ingest alone: the processor is stopped, so nothing else writes.
        var processor = parley.App.Services.GetRequiredService<InboundProcessor>();
        await processor.StopAsync(CancellationToken.None);
        // On SQLite the processor takes acknowledged deliveries straight from the ingest journal (docs/adr/0048), and
        // only a processor far behind gets them as pending rows. The full breakdown keeps them all in the journal, so
        // that processing below is measured as it runs when it keeps up (and ingest only is the journal's append alone);
        // --ingest-only leaves the limits as they are, so the deliveries past them are moved as Parley moves them.
        if (!o.IngestOnly && parley.App.Services.GetRequiredService<IngestWriter>().Journalled is { } journalled)
            (journalled.SpillAbove, journalled.MaxBacklog) = (int.MaxValue, int.MaxValue);
        var next = -1L;
        long NextTweet() => Interlocked.Increment(ref next);
        using (var generator = new LoadGenerator(webhook, bodies, o.Connections))
        {
            await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), NextTweet, null);
            diagnostics.Report("ingest-only warm-up");
            var cpu = CpuMeter.Start();
            var allocated = GC.GetTotalAllocatedBytes();
            var r = await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.Seconds), NextTweet, null);
            var used = cpu.Stop();
            var allocatedPerRequest = (GC.GetTotalAllocatedBytes() - allocated) / Math.Max(1, r.Completed);
            Say($"Parley ingest only (processor stopped): {r.Rate:N0} req/s = {r.Rate / bareRate:0.00} × bare, {r.Service.Summary()}, CPU {used}, "
                + $"{used.ShareOfAllCores * Environment.ProcessorCount * r.Seconds * 1e6 / Math.Max(1, r.Completed):N0} µs CPU and {allocatedPerRequest:N0} bytes allocated per request (server and generator), {r.Errors} errors");
            diagnostics.Report("ingest only");
            // Bare Kestrel's rate moves by a third from run to run on this machine (40,000-60,000 req/s on a quiet
            // one), so it is measured once more right after, and the ratio given against both.
            var bareAfter = await MeasureBareAsync(bodies, o, "bare Kestrel again, right after ingest only");
            Say($"ingest only against bare Kestrel before and after it: {r.Rate / bareRate:0.00} × and {r.Rate / bareAfter:0.00} ×, "
                + $"{2 * r.Rate / (bareRate + bareAfter):0.00} × their mean");
        }

        if (o.IngestOnly) return 0;

        // 3. Storing raw deliveries: EF Core (as IngestWriter does) against plain ADO.NET, same rows, same batch sizes.
        var sample = bodies.Get(0);
        var body = sample.Buffer.AsSpan(sample.Offset, sample.Length).ToArray();
        foreach (var batch in new[] { 1, 16, 64 })
        {
            var ef = await TimeBatchesAsync(parley, batch, body, viaEf: true);
            var raw = await TimeBatchesAsync(parley, batch, body, viaEf: false);
            Say($"store {batch,3} raw deliveries per commit: EF Core {ef.PerCommitMs:0.00} ms/commit ({ef.PerRowUs:0} µs/row), "
                + $"ADO.NET {raw.PerCommitMs:0.00} ms/commit ({raw.PerRowUs:0} µs/row)");
        }
        diagnostics.Report("raw inserts");

        // 4. Processing what ingest stored. The first deliveries create each customer's contact and
        //    conversation; they are processed first, untimed, so both timed halves find them in place.
        var pending = await parley.PendingDeliveriesAsync();
        var prime = (int)Math.Min(bodies.Customers.Customers, pending / 3);
        var half = Math.Min((pending - prime) / 4, 6_000);
        Say($"processing: {pending:N0} stored deliveries; priming with {prime:N0}, then four timed runs of {half:N0}");
        await ProcessAsIsAsync(processor, parley, prime);
        diagnostics.Report("processing warm-up");

        var parsedAtIngest = parley.App.Services.GetRequiredService<ParsedDeliveries>();
        var (rate, cpuUs, bytes) = await TimeProcessingAsync(processor, parley, half);
        Say($"processing as Parley does it (InboundProcessor.ProcessPendingAsync, batch transactions, parses handed over from ingest where still held "
            + $"[{parsedAtIngest.Count + (parley.App.Services.GetRequiredService<IngestWriter>().Journalled?.Backlog().Count ?? 0):N0} held]): {rate:N0} deliveries/s, {cpuUs:N0} µs CPU and {bytes:N0} bytes allocated per delivery, "
            + $"{processor.Conflicts} batches prepared again after a conflict");
        diagnostics.Report("processing as is");

        var held = parsedAtIngest.Count + (parley.App.Services.GetRequiredService<IngestWriter>().Journalled?.DropParses() ?? 0);
        parsedAtIngest.Clear();
        (rate, cpuUs, bytes) = await TimeProcessingAsync(processor, parley, half);
        Say($"same, every body parsed again from the database ({held:N0} held parses dropped first): {rate:N0} deliveries/s, {cpuUs:N0} µs CPU and "
            + $"{bytes:N0} bytes allocated per delivery");
        diagnostics.Report("processing, parsing again");

        // At moderate rates a batch is what arrived since the last one: a few deliveries, each customer's history
        // read for one or two messages (docs/adr/0037).
        processor.BatchCap = SmallBatch;
        (rate, cpuUs, bytes) = await TimeProcessingAsync(processor, parley, half);
        processor.BatchCap = int.MaxValue;
        Say($"same, in batches of {SmallBatch} (as at moderate rates): {rate:N0} deliveries/s, {cpuUs:N0} µs CPU and {bytes:N0} bytes allocated per delivery");
        diagnostics.Report("processing, small batches");

        // Batches three times as large: what letting small batches gather could make of them at moderate rates
        // (docs/adr/0043), right after the line above so that the two compare in one run, on the same history.
        processor.BatchCap = GatheredBatch;
        (rate, cpuUs, bytes) = await TimeProcessingAsync(processor, parley, half);
        processor.BatchCap = int.MaxValue;
        Say($"same, in batches of {GatheredBatch} (small batches gathered, ADR 43): {rate:N0} deliveries/s, {cpuUs:N0} µs CPU and {bytes:N0} bytes allocated per delivery");
        diagnostics.Report("processing, gathered batches");
        return 0;
    }

    /// <returns>Deliveries per second, and this process's CPU time and allocations per delivery (the load generator is
    /// idle meanwhile, so nearly all of both is processing's).</returns>
    private static async Task<(double Rate, double CpuUs, long Bytes)> TimeProcessingAsync(InboundProcessor processor, ParleyUnderTest parley, int atLeast)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var watch = Stopwatch.StartNew();
        var done = await ProcessAsIsAsync(processor, parley, atLeast);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (done / watch.Elapsed.TotalSeconds, used.TotalMilliseconds * 1000 / Math.Max(1, done), (GC.GetTotalAllocatedBytes() - allocated) / Math.Max(1, done));
    }

    // The calling thread's CPU time as well as wall time: the loop runs on this thread alone, so its CPU time stays
    // meaningful on a busy machine, where the wall time is not (and the process's would count the server's other threads).
    private static void Micro(string what, int n, Action<int> op, int warmup = 2_000)
    {
        // At least a second of warm-up as well as the count: the JIT promotes a method to optimised code only after
        // a delay, and 2,000 calls of a 30 µs piece end before it (the same line then swung by 2× between runs).
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < warmup || warming.Elapsed < TimeSpan.FromSeconds(1); i++) op(i);
        var cpu = ThreadCpuNs();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) op(i);
        var wall = Latencies.Ms(Stopwatch.GetTimestamp() - start) * 1000 / n;
        var used = (ThreadCpuNs() - cpu) / 1000.0 / n;
        Say($"{what}: {used:0.0} µs CPU ({wall:0.0} µs wall) and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / n:N0} bytes allocated per call");
    }

    /// <summary>Nanoseconds this thread has run on a CPU (Linux schedstat; 0 elsewhere).</summary>
    private static long ThreadCpuNs()
    {
        try { return long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return 0; }
    }

    private static async Task<int> ProcessAsIsAsync(InboundProcessor processor, ParleyUnderTest parley, int atLeast)
    {
        var done = 0;
        while (done < atLeast)
        {
            var n = await processor.ProcessPendingAsync(CancellationToken.None);
            if (n == 0) break;
            done += n;
        }
        return done;
    }

    private sealed record BatchTiming(double PerCommitMs, double PerRowUs);

    /// <summary>Commits 200 batches of <paramref name="size"/> raw deliveries, marked processed so the
    /// processor leaves them alone, through EF Core or with prepared ADO.NET commands.</summary>
    private static async Task<BatchTiming> TimeBatchesAsync(ParleyUnderTest parley, int size, byte[] body, bool viaEf)
    {
        const int commits = 200;
        await using var scope = parley.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var start = Stopwatch.GetTimestamp();
        if (viaEf)
        {
            for (var c = 0; c < commits; c++)
            {
                db.InboundEvents.AddRange(Enumerable.Range(0, size).Select(_ => NewEvent(parley.ChannelId, body)));
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }
        else
        {
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // The event's row and its body's (docs/adr/0036).
            command.CommandText = db.IsPostgres
                ? """
                  WITH e AS (INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "UnhandledCount", "MessageCount")
                      VALUES (@channel, 'x.webhook', @at, 'Processed', 0, 0) RETURNING "Id")
                  INSERT INTO "InboundBodies" ("Id", "Body") SELECT "Id", @body FROM e
                  """
                : """
                  INSERT INTO "InboundEvents" ("ChannelId", "Source", "ReceivedAt", "Status", "UnhandledCount", "MessageCount")
                  VALUES (@channel, 'x.webhook', @at, 'Processed', 0, 0);
                  INSERT INTO "InboundBodies" ("Id", "Body") VALUES (last_insert_rowid(), @body);
                  """;
            Parameter(command, "@channel", db.IsPostgres ? parley.ChannelId : parley.ChannelId.ToString().ToUpperInvariant());
            var at = Parameter(command, "@at", 0L);
            var toBinary = new DateTimeOffsetToBinaryConverter();
            Parameter(command, "@body", body);
            for (var c = 0; c < commits; c++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                command.Transaction = tx;
                for (var i = 0; i < size; i++)
                {
                    at.Value = db.IsPostgres ? DateTimeOffset.UtcNow : toBinary.ConvertToProvider(DateTimeOffset.UtcNow)!;
                    await command.ExecuteNonQueryAsync();
                }
                await tx.CommitAsync();
            }
            await connection.CloseAsync();
        }
        var ms = Latencies.Ms(Stopwatch.GetTimestamp() - start);
        return new BatchTiming(ms / commits, ms * 1000 / (commits * size));
    }

    private static InboundEvent NewEvent(Guid channelId, byte[] body) => new()
    {
        ChannelId = channelId, Source = InboundParsers.XWebhook, ReceivedAt = DateTimeOffset.UtcNow, Body = body, Status = InboundStatus.Processed,
    };

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
        return p;
    }

    /// <summary>Bare Kestrel's closed-loop rate with this run's bodies and connections (warm-up first); prints it with
    /// its CPU and allocations per request.</summary>
    private static async Task<double> MeasureBareAsync(TweetBodies bodies, BenchOptions o, string label)
    {
        var (bare, url) = await BareKestrel.StartAsync();
        using var generator = new LoadGenerator(BareKestrel.WebhookUri(url), bodies, o.Connections);
        var cycle = -1L;
        long Next() => Interlocked.Increment(ref cycle) % 50_000;
        await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Next, null);
        var cpu = CpuMeter.Start();
        var allocated = GC.GetTotalAllocatedBytes();
        var r = await generator.RunClosedAsync(o.Connections, TimeSpan.FromSeconds(o.Seconds), Next, null);
        var used = cpu.Stop();
        var allocatedPerRequest = (GC.GetTotalAllocatedBytes() - allocated) / Math.Max(1, r.Completed);
        await bare.StopAsync();
        await bare.DisposeAsync();
        Say($"{label}: {r.Rate:N0} req/s, {r.Service.Summary()}, CPU {used}, "
            + $"{used.ShareOfAllCores * Environment.ProcessorCount * r.Seconds * 1e6 / Math.Max(1, r.Completed):N0} µs CPU and {allocatedPerRequest:N0} bytes allocated per request (server and generator)");
        return r.Rate;
    }

    private static void Say(string line) => Console.Error.WriteLine(line);
}
