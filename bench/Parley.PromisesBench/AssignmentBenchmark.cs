using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Conversations;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.PromisesBench;

/// <summary>What one assignment run did.</summary>
/// <param name="OverCapacity">Samples in which someone held more active conversations than their capacity.</param>
/// <param name="FullSamples">Samples in which at least one person was exactly at capacity (so the limit was tested).</param>
/// <param name="AssignedTwice">Conversations with more than one assignment event (Parley only; the baseline writes no events).</param>
public sealed record AssignmentRun(string Name, int Arrived, int Assigned, double DecisionsPerSecond, Stats Latency,
    int Samples, int OverCapacity, int FullSamples, int AssignedTwice);

/// <summary>New conversations arrive in a queue at a steady rate (written straight into the table, already routed,
/// with the commit signal ingest would give); agents with capacities resolve each one some seconds after they get
/// it. Parley's real <see cref="RoutingWorker"/> assigns them; a sampler counts every agent's active conversations
/// several times a second. The baseline, on its own queue and agents, is a bare loop of conditional UPDATEs (one
/// per conversation, round robin, no capacity check): the floor of any assignment that cannot give a conversation
/// twice.</summary>
public static class AssignmentBenchmark
{
    public static async Task<(AssignmentRun Baseline, AssignmentRun Parley)> RunAsync(BenchDatabase database, PromisesOptions o, Guid brandId, Guid channelId)
    {
        Console.Error.WriteLine($"  baseline assignment for {o.AssignSeconds} s at {o.Rate}/s");
        var baseline = await RunAsync(database, o, brandId, channelId, parley: false);
        Console.Error.WriteLine($"  Parley's assignment for {o.AssignSeconds} s at {o.Rate}/s");
        var parley = await RunAsync(database, o, brandId, channelId, parley: true);
        return (baseline, parley);
    }

    private static async Task<AssignmentRun> RunAsync(BenchDatabase database, PromisesOptions o, Guid brandId, Guid channelId, bool parley)
    {
        var clock = TimeProvider.System;
        var (teamId, capacities, contacts) = await SetUpAsync(database, o, brandId, parley ? "Care" : "Baseline care");
        await using var services = database.Services(clock, s =>
        {
            s.AddSingleton<Assigner>();
            s.AddSingleton<ConversationRouter>();
            s.AddSingleton<AutoAssignment>();
            s.AddSingleton<AgentConnections>();
            s.AddSingleton<RoutingWorker>();
        });
        var signal = services.GetRequiredService<EventSignal>();
        using var stop = new CancellationTokenSource();
        var worker = parley ? services.GetRequiredService<RoutingWorker>() : null;
        if (worker is not null) await worker.StartAsync(CancellationToken.None);
        var baselineLoop = parley ? Task.CompletedTask : BaselineAsync(database, teamId, [.. capacities.Keys], signal, stop.Token);

        var samples = 0;
        var over = 0;
        var full = 0;
        var sampler = Task.Run(async () =>
        {
            await using var db = database.Open();
            var ids = capacities.Keys.ToArray();
            while (!stop.IsCancellationRequested)
            {
                var load = await CandidatePool.OpenLoadAsync(db, ids, CancellationToken.None);
                samples++;
                if (load.Any(l => l.Value > capacities[l.Key])) over++;
                if (load.Any(l => l.Value == capacities[l.Key])) full++;
                await Task.Delay(200);
            }
        });
        var resolver = Task.Run(async () =>
        {
            await using var db = database.Open();
            var handle = TimeSpan.FromSeconds(o.HandleSeconds);
            while (!stop.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                var cutoff = now - handle;
                await db.Conversations.Where(c => c.TeamId == teamId && c.Status == ConversationStatus.Open && c.AssigneeId != null && c.AssignedAt <= cutoff)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Resolved).SetProperty(c => c.State, ConversationState.Resolved)
                        .SetProperty(c => c.ResolvedAt, now));
                await Task.Delay(100);
            }
        });

        // The arrivals: a tenth of the rate every 100 ms, on schedule.
        var arrived = 0;
        var watch = Stopwatch.StartNew();
        var perTick = Math.Max(1, o.Rate / 10);
        for (var tick = 0; tick < o.AssignSeconds * 10; tick++)
        {
            var now = clock.GetUtcNow();
            var batch = new List<Conversation>(perTick);
            for (var i = 0; i < perTick; i++)
            {
                var c = new Conversation { BrandId = brandId, ChannelId = channelId, ContactId = contacts[(arrived + i) % contacts.Count], CreatedAt = now };
                c.Assign(teamId, null, now);
                batch.Add(c);
            }
            await using (var db = database.Open()) await BulkWriter.WriteAsync(db, batch);
            arrived += batch.Count;
            signal.Pulse();
            var wait = TimeSpan.FromMilliseconds(100 * (tick + 1)) - watch.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        // Let the last arrivals be decided.
        var drainUntil = watch.Elapsed + TimeSpan.FromSeconds(5);
        while (watch.Elapsed < drainUntil && await WaitingAsync(database, teamId) > 0) await Task.Delay(100);
        await stop.CancelAsync();
        if (worker is not null) await worker.StopAsync(CancellationToken.None);
        await Task.WhenAll(baselineLoop, sampler, resolver);

        await using var read = database.Open();
        var assigned = await read.Conversations.AsNoTracking().Where(c => c.TeamId == teamId && c.AssigneeId != null)
            .Select(c => new { c.Id, c.CreatedAt, AssignedAt = c.AssignedAt!.Value }).ToListAsync();
        var last = assigned.Count == 0 ? TimeSpan.Zero : assigned.Max(a => a.AssignedAt) - assigned.Min(a => a.CreatedAt);
        var twice = 0;
        if (parley)
        {
            var subjects = assigned.Select(a => $"conversations/{a.Id}").ToHashSet();
            twice = (await read.Events.AsNoTracking().Where(e => e.Type == "conversation.assigned").Select(e => e.Subject).ToListAsync())
                .Where(subjects.Contains).GroupBy(s => s).Count(g => g.Count() > 1);
        }
        return new AssignmentRun(parley ? "Parley's router (batched)" : "Baseline: conditional UPDATE loop", arrived, assigned.Count,
            assigned.Count / Math.Max(0.001, last.TotalSeconds),
            new Stats(assigned.Select(a => (a.AssignedAt - a.CreatedAt).TotalMilliseconds)), samples, over, full, twice);
    }

    private static async Task<int> WaitingAsync(BenchDatabase database, Guid teamId)
    {
        await using var db = database.Open();
        return await db.Conversations.CountAsync(c => c.TeamId == teamId && c.AssigneeId == null && c.Status == ConversationStatus.Open);
    }

    /// <summary>The bare floor: read the waiting conversations, then one autocommitted conditional UPDATE each.</summary>
    private static async Task BaselineAsync(BenchDatabase database, Guid teamId, Guid[] agents, EventSignal signal, CancellationToken ct)
    {
        await using var db = database.Open();
        var next = 0;
        while (!ct.IsCancellationRequested)
        {
            var waiting = await AutoAssignment.Waiting(db.Conversations.AsNoTracking(), teamId).OrderBy(c => c.CreatedAt)
                .Take(AutoAssignment.PerQueue).Select(c => c.Id).ToListAsync(CancellationToken.None);
            foreach (var id in waiting)
            {
                var agent = agents[next++ % agents.Length];
                var now = DateTimeOffset.UtcNow;
                await db.Conversations.Where(c => c.Id == id && c.AssigneeId == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.AssigneeId, agent).SetProperty(c => c.AssignedAt, now), CancellationToken.None);
            }
            if (waiting.Count < AutoAssignment.PerQueue)
            {
                try { await signal.WaitAsync(RoutingWorker.Interval, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>A team with an auto-assigning queue (least busy, not sticky) and its agents, online, with
    /// capacities of 6 and 10 alternately.</summary>
    private static async Task<(Guid TeamId, Dictionary<Guid, int> Capacities, List<Guid> Contacts)> SetUpAsync(BenchDatabase database,
        PromisesOptions o, Guid brandId, string name)
    {
        await using var db = database.Open();
        var now = DateTimeOffset.UtcNow;
        var team = new Team { BrandId = brandId, Name = name, CreatedAt = now };
        db.Add(team);
        db.Add(new QueueSettings { TeamId = team.Id, AutoAssign = true, Fairness = Fairness.LeastBusy, Sticky = false, UpdatedAt = now });
        var capacities = new Dictionary<Guid, int>();
        for (var i = 0; i < o.Agents; i++)
        {
            var email = $"{name.Replace(' ', '-').ToLowerInvariant()}-agent{i}@bench.example";
            var user = new User { Email = email, NormalizedEmail = email.ToUpperInvariant(), Name = $"Agent {i}", CreatedAt = now };
            var capacity = i % 2 == 0 ? 6 : 10;
            db.AddRange(user, new TeamMember { TeamId = team.Id, UserId = user.Id },
                // Seen "now" for the next day: the bench has no workspace pages to report presence.
                new AgentProfile { UserId = user.Id, Status = AgentPresence.Online, LastSeenAt = now.AddDays(1), Capacity = capacity });
            capacities[user.Id] = capacity;
        }
        await db.SaveChangesAsync();
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.BrandId == brandId).OrderBy(c => c.Id).Take(10_000).Select(c => c.Id).ToListAsync();
        return (team.Id, capacities, contacts);
    }
}
