using System.Diagnostics;

namespace Parley.WorkspaceBench;

/// <summary>Posts at a steady rate while agents watch their lists; for each acknowledged post, the time
/// until it was in every agent's list (the slowest agent decides), and per kind of agent.</summary>
public static class LiveRun
{
    public sealed record Result(int Posted, int Acked, int Failed, int MissingSomewhere, Percentiles EveryAgent,
        IReadOnlyDictionary<string, Percentiles> ByKind, double AchievedRate, Stages? Breakdown = null, int TakenOut = 0);

    /// <summary>Where the time went for the HTTP inbox clients (every post × client seen): acknowledgement to the
    /// server writing its first event (processing), that event to its arrival at the client (the live feed), arrival
    /// to the row in the client's list (the refetch); and how often clients were told to reload.</summary>
    public sealed record Stages(Percentiles Processing, Percentiles Feed, Percentiles Refetch, int Resyncs);

    public static async Task<Result> RunAsync(IReadOnlyList<IAgent> agents, PostGenerator generator, double rate, int seconds,
        Func<int, string, HttpRequestMessage> request)
    {
        var run = await generator.RunAsync(rate, seconds, request);
        // Allow the last posts time to arrive everywhere before judging what is missing.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 15;
        List<IReadOnlyDictionary<int, long>> seen;
        while (true)
        {
            seen = [];
            foreach (var agent in agents) seen.Add(await agent.SeenAsync());
            var ruledOut = agents.OfType<InboxClient>().SelectMany(c => c.TakenOut).ToHashSet();
            if (run.AckedAt.Keys.All(post => ruledOut.Contains(post) || seen.All(s => s.ContainsKey(post))) || Stopwatch.GetTimestamp() > until) break;
            await Task.Delay(250);
        }

        // A post the brand's rules take out (a spam or abuse text among the customer texts) is rightly in no list.
        var takenOut = agents.OfType<InboxClient>().SelectMany(c => c.TakenOut).ToHashSet();
        var everyAgent = new List<double>();
        var missing = 0;
        var byKind = agents.Select(a => a.Kind).Distinct().ToDictionary(k => k, _ => new List<double>());
        foreach (var (post, ackedAt) in run.AckedAt)
        {
            if (takenOut.Contains(post)) continue;
            if (!seen.All(s => s.ContainsKey(post)))
            {
                missing++;
                var lacking = Enumerable.Range(0, agents.Count).Where(i => !seen[i].ContainsKey(post)).Select(i => $"{i} ({agents[i].Kind})");
                Console.Error.WriteLine($"    post {post} (acknowledged at {ackedAt}) is missing in agents {string.Join(", ", lacking)}");
                continue;
            }
            everyAgent.Add(seen.Max(s => s[post]) - ackedAt);
            for (var i = 0; i < agents.Count; i++) byKind[agents[i].Kind].Add(seen[i][post] - ackedAt);
        }
        var clients = agents.OfType<InboxClient>().ToList();
        Stages? stages = null;
        if (clients.Count > 0)
        {
            List<double> processing = [], feed = [], refetch = [];
            for (var i = 0; i < agents.Count; i++)
            {
                if (agents[i] is not InboxClient client) continue;
                foreach (var (post, ackedAt) in run.AckedAt)
                {
                    if (!seen[i].TryGetValue(post, out var shown) || client.Stages(post) is not { } s) continue;
                    processing.Add(s.OccurredAt - ackedAt);
                    feed.Add(s.Arrived - s.OccurredAt);
                    refetch.Add(shown - s.Arrived);
                }
            }
            stages = new Stages(new Percentiles(processing), new Percentiles(feed), new Percentiles(refetch), clients.Sum(c => c.Resyncs));
        }
        return new Result((int)(rate * seconds), run.AckedAt.Count, run.Failed, missing, new Percentiles(everyAgent),
            byKind.ToDictionary(p => p.Key, p => new Percentiles(p.Value)), run.AckedAt.Count / run.Seconds, stages, takenOut.Count);
    }
}
