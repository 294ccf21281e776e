using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Conversations;
using Parley.Platform.Events;
using Parley.Promises;

namespace Parley.PromisesBench;

/// <summary>Pass durations and event lateness of one sweep run.</summary>
public sealed record SweepRun(string Name, Stats Passes, int IdlePasses, Stats Lateness, int Events, int Duplicates);

/// <summary>Runs a bare baseline and then Parley's real <see cref="ServiceLevelSweep"/> (its background loop, with its
/// own sleeping and waking) for the same length of time each, on consecutive stretches of the seeded due instants, so
/// each sees the same load. The baseline is the least any sweep must do: the indexed read of due rows, a raw insert
/// of one event each and an update of their next due instant, with the same sleep-until-due loop.</summary>
public static class SweepBenchmark
{
    public static async Task<(SweepRun Baseline, SweepRun Parley)> RunAsync(BenchDatabase database, PromisesOptions o, DateTimeOffset anchor)
    {
        // The run's clock starts a second before the first seeded due instant.
        var clock = new ShiftedClock(anchor.AddSeconds(-1) - DateTimeOffset.UtcNow);
        var length = TimeSpan.FromSeconds(o.SweepSeconds);
        Console.Error.WriteLine($"  baseline sweep for {o.SweepSeconds} s");
        var baseline = await BaselineAsync(database, clock, length);
        Console.Error.WriteLine($"  Parley's sweep for {o.SweepSeconds} s");
        var parley = await ParleyAsync(database, clock, length);
        return (baseline, parley);
    }

    private static async Task<SweepRun> ParleyAsync(BenchDatabase database, ShiftedClock clock, TimeSpan length)
    {
        await using var services = database.Services(clock, s => s.AddSingleton<ServiceLevelSweep>());
        var sweep = services.GetRequiredService<ServiceLevelSweep>();
        var passes = new ConcurrentQueue<SweepPass>();
        sweep.Passed += passes.Enqueue;
        await sweep.StartAsync(CancellationToken.None);
        await Task.Delay(length);
        await sweep.StopAsync(CancellationToken.None);

        await using var db = database.Open();
        var events = await db.Events.AsNoTracking().Where(e => e.Type == "service_level.warning" || e.Type == "service_level.breached")
            .Select(e => new { e.Subject, e.OccurredAt, e.Data }).ToListAsync();
        var lateness = events.Select(e => (e.OccurredAt - JsonDocument.Parse(e.Data).RootElement.GetProperty("at").GetDateTimeOffset()).TotalMilliseconds);
        var duplicates = events.Count - events.Select(e => e.Subject).Distinct().Count();
        var work = passes.Where(p => p.Evaluated > 0).ToList();
        return new SweepRun("Parley's sweep", new Stats(work.Select(p => p.Duration.TotalMilliseconds)), passes.Count - work.Count,
            new Stats(lateness), events.Count, duplicates);
    }

    private static async Task<SweepRun> BaselineAsync(BenchDatabase database, ShiftedClock clock, TimeSpan length)
    {
        var passes = new List<double>();
        var lateness = new List<double>();
        var idle = 0;
        var events = 0;
        var watch = Stopwatch.StartNew();
        await using var db = database.Open();
        while (watch.Elapsed < length)
        {
            var started = Stopwatch.GetTimestamp();
            var now = clock.GetUtcNow();
            var count = 0;
            while (true)
            {
                var due = await db.Conversations.AsNoTracking()
                    .Where(c => c.Status == ConversationStatus.Open && c.NextClockCheckAt > Conversation.ClocksChanged && c.NextClockCheckAt <= now)
                    .OrderBy(c => c.NextClockCheckAt).Take(ServiceLevelSweep.BatchSize)
                    .Select(c => new { c.Id, c.BrandId, Due = c.NextClockCheckAt!.Value }).ToListAsync();
                if (due.Count == 0) break;
                var at = clock.GetUtcNow();
                await using (var tx = await db.Database.BeginTransactionAsync())
                {
                    foreach (var d in due)
                        db.Append("bench.baseline_warning", $"conversations/{d.Id}", d.BrandId, new { conversationId = d.Id, at = d.Due }, at);
                    await db.SaveChangesAsync();
                    var ids = due.Select(d => d.Id).ToArray();
                    var later = now + Seeder.Lead;
                    await db.Conversations.Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(s => s.SetProperty(c => c.NextClockCheckAt, later));
                    await tx.CommitAsync();
                }
                db.ChangeTracker.Clear();
                lateness.AddRange(due.Select(d => (at - d.Due).TotalMilliseconds));
                count += due.Count;
                if (due.Count < ServiceLevelSweep.BatchSize) break;
            }
            events += count;
            if (count > 0) passes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            else idle++;
            var next = await db.Conversations.AsNoTracking().Where(c => c.Status == ConversationStatus.Open && c.NextClockCheckAt != null)
                .OrderBy(c => c.NextClockCheckAt).Select(c => c.NextClockCheckAt).FirstOrDefaultAsync();
            var sleep = ServiceLevelSweep.SleepAfter(next, clock.GetUtcNow());
            if (sleep > TimeSpan.Zero) await Task.Delay(sleep);
        }
        return new SweepRun("Baseline: indexed read + raw insert", new Stats(passes), idle, new Stats(lateness), events, 0);
    }
}
