using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
using Parley.Platform.Events;
using Parley.Triage;

namespace Parley.Bench;

/// <summary><c>sweep</c>: what the patience sweep (docs/adr/0040, 0049) costs per conversation it announces, against the
/// bare writes it must make in the same run. N new customers each tweet once (a brand whose patience window is a second),
/// processing drains, and then, round after round, every conversation is made due again and announced: by the sweep's
/// own <see cref="PatienceWindowSweep.RunOnceAsync"/> turn after turn (its background loop stopped), and by a raw
/// baseline that inserts the same number of events with one prepared statement and marks the same conversations with one
/// UPDATE per turn of the old turn size. Turn time is how long SQLite's write lock is held (nothing else writes);
/// CPU and bytes allocated are the process's per announced conversation, which another process's load does not change.</summary>
public static class SweepBenchmark
{
    private const int DefaultBursts = 4_000;

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var bursts = o.Customers ?? DefaultBursts;
        await using var parley = await ParleyUnderTest.StartAsync(o.IsPostgres ? o.Postgres : null);
        var sweep = parley.App.Services.GetRequiredService<PatienceWindowSweep>();
        await sweep.StopAsync(CancellationToken.None);
        var webhook = await parley.CreateXChannelAsync();
        var channelId = parley.ChannelId;
        var brandId = await parley.WithDbAsync(db => db.Channels.Where(c => c.Id == channelId).Select(c => c.BrandId).SingleAsync());
        (await parley.Api.PutAsJsonAsync($"/api/v1/brands/{brandId}/triage", new { patienceWindow = "00:00:01", patienceMaxHold = "00:00:02" }))
            .EnsureSuccessStatusCode();

        Say($"sweep on {o.Database}: {bursts:N0} new customers' first tweets, then {o.Rounds} rounds of announcing them all; load {Load()}");
        var bodies = new TweetBodies(ParleyUnderTest.ConsumerSecret, CustomerPool.Uniform(bursts));
        bodies.Prepare(bursts);
        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, bursts), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                var body = bodies.Get(i);
                using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body.Buffer, body.Offset, body.Length) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                request.Headers.TryAddWithoutValidation("x-twitter-webhooks-signature", body.Signature);
                using var response = await client.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
            });
        }
        var (took, drained) = await parley.DrainAsync(TimeSpan.FromMinutes(5));
        if (!drained) throw new InvalidOperationException("Processing did not drain.");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // every window passed
        var open = await parley.WithDbAsync(db => db.Conversations.CountAsync(c => c.Status == ConversationStatus.Open));
        Say($"  {open:N0} open conversations after processing ({took.TotalSeconds:0.0} s to drain)");

        var data = "";
        for (var round = 1; round <= o.Rounds; round++)
        {
            await ResetAsync(parley);
            var before = await parley.WithDbAsync(db => db.Events.LongCountAsync(e => e.Type == "triage.burst_completed"));
            var s = await MeasureAsync(() => sweep.RunOnceAsync(CancellationToken.None));
            var written = await parley.WithDbAsync(db => db.Events.LongCountAsync(e => e.Type == "triage.burst_completed")) - before;
            if (written != s.Announced) throw new InvalidOperationException($"The sweep announced {s.Announced} but wrote {written} events.");
            data = await parley.WithDbAsync(db => db.Events.Where(e => e.Type == "triage.burst_completed").OrderByDescending(e => e.Seq).Select(e => e.Data).FirstAsync());

            await ResetAsync(parley);
            var due = await parley.WithDbAsync(db => db.Conversations.Where(c => !c.ReadyAnnounced).OrderBy(c => c.ReadyAt).Select(c => c.Id).ToListAsync());
            var turn = o.IsPostgres ? 200 : 32;
            var chunks = due.Chunk(turn).GetEnumerator();
            var r = await MeasureAsync(async () => chunks.MoveNext() ? await RawTurnAsync(parley, brandId, chunks.Current, data) : 0);

            Say($"  round {round}, load {Load()}:");
            Report("sweep (PatienceWindowSweep.RunOnceAsync)", s);
            Report($"raw baseline ({turn} events a turn, one prepared INSERT, one UPDATE)", r);
            Say(string.Create(CultureInfo.InvariantCulture,
                $"    ratio sweep / raw: write lock per conversation {s.TurnUs / r.TurnUs:0.00} x, CPU per conversation {s.CpuUs / r.CpuUs:0.00} x"));
        }
        return 0;
    }

    private sealed record Result(int Announced, int Turns, double TurnUs, double CpuUs, double Bytes, double MeanTurnMs, double MaxTurnMs);

    /// <summary>Runs turns until one announces nothing; per announced conversation: the turns' time, the process's CPU and
    /// bytes allocated.</summary>
    private static async Task<Result> MeasureAsync(Func<Task<int>> turn)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(true);
        long ticks = 0, max = 0;
        int announced = 0, turns = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            var done = await turn();
            var t = Stopwatch.GetTimestamp() - started;
            if (done == 0) break;
            ticks += t;
            max = Math.Max(max, t);
            announced += done;
            turns++;
        }
        var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
        var allocated = GC.GetTotalAllocatedBytes(true) - bytes;
        var us = Stopwatch.GetElapsedTime(0, ticks).TotalMicroseconds;
        var n = Math.Max(1, announced);
        return new Result(announced, turns, us / n, cpuUs / n, (double)allocated / n, us / 1000 / Math.Max(1, turns),
            Stopwatch.GetElapsedTime(0, max).TotalMilliseconds);
    }

    private static void Report(string what, Result r) => Say(string.Create(CultureInfo.InvariantCulture,
        $"    {what,-62} {r.Announced,6:N0} in {r.Turns,4} turns (mean {r.MeanTurnMs,6:0.00} ms, max {r.MaxTurnMs,6:0.0} ms): "
        + $"{r.TurnUs,6:0.0} us of write lock, {r.CpuUs,6:0.0} us CPU, {r.Bytes / 1024,6:0.0} KB a conversation"));

    /// <summary>Every open conversation due and not yet announced, its rank back to 0, as processing left it.</summary>
    private static Task<int> ResetAsync(ParleyUnderTest parley) => parley.WithDbAsync(db => db.Conversations.Where(c => c.Status == ConversationStatus.Open)
        .ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAnnounced, false).SetProperty(c => c.RankedPriority, 0)));

    /// <summary>The bare writes of one turn: the events inserted with one prepared statement (a row each on SQLite, one
    /// unnest on PostgreSQL) and the conversations marked with one UPDATE, in one transaction.</summary>
    private static Task<int> RawTurnAsync(ParleyUnderTest parley, Guid brandId, Guid[] ids, string data) => parley.WithDbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        await db.Database.OpenConnectionAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        var connection = db.Database.GetDbConnection();
        var shape = RowShape.Of<Event>(db);
        var events = ids.Select(id => new Event
        {
            Type = "triage.burst_completed", Subject = $"conversations/{id}", BrandId = brandId, OccurredAt = now, Data = data,
        }).ToList();
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx.GetDbTransaction();
            if (db.IsPostgres)
            {
                insert.CommandText = shape.InsertManySql;
                foreach (var column in shape.Inserted) insert.Parameters.Add(column.Values(events));
                await insert.ExecuteNonQueryAsync();
            }
            else
            {
                insert.CommandText = shape.InsertSql;
                for (var i = 0; i < shape.Inserted.Count; i++) insert.Parameters.Add(shape.Inserted[i].Parameter(insert, "$" + (i + 1), DBNull.Value));
                insert.Prepare();
                foreach (var e in events)
                {
                    for (var i = 0; i < shape.Inserted.Count; i++) insert.Parameters[i].Value = shape.Inserted[i].Read(e);
                    await insert.ExecuteNonQueryAsync();
                }
            }
        }
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = tx.GetDbTransaction();
            var list = update.CreateParameter();
            if (db.IsPostgres)
            {
                update.CommandText = "UPDATE \"Conversations\" SET \"ReadyAnnounced\" = TRUE WHERE \"Id\" = ANY($1)";
                list.Value = ids;
            }
            else
            {
                update.CommandText = "UPDATE \"Conversations\" SET \"ReadyAnnounced\" = 1 WHERE \"Id\" IN (SELECT value FROM json_each($1))";
                list.ParameterName = "$1";
                list.Value = System.Text.Json.JsonSerializer.Serialize(ids.Select(id => id.ToString("D").ToUpperInvariant()));
            }
            update.Parameters.Add(list);
            if (await update.ExecuteNonQueryAsync() != ids.Length) throw new InvalidOperationException("The raw update missed a conversation.");
        }
        await tx.CommitAsync();
        return ids.Length;
    });

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static void Say(string line) => Console.WriteLine(line);
}
