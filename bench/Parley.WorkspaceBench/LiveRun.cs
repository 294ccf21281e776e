using System.Diagnostics;

namespace Parley.WorkspaceBench;

/// <summary>Posts at a steady rate while agents watch their lists; for each acknowledged post, the time
/// until it was in every agent's list (the slowest agent decides), and per kind of agent.</summary>
public static class LiveRun
{
    public sealed record Result(int Posted, int Acked, int Failed, int MissingSomewhere, Percentiles EveryAgent,
        IReadOnlyDictionary<string, Percentiles> ByKind, double AchievedRate);

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
            if (run.AckedAt.Keys.All(post => seen.All(s => s.ContainsKey(post))) || Stopwatch.GetTimestamp() > until) break;
            await Task.Delay(250);
        }

        var everyAgent = new List<double>();
        var missing = 0;
        var byKind = agents.Select(a => a.Kind).Distinct().ToDictionary(k => k, _ => new List<double>());
        foreach (var (post, ackedAt) in run.AckedAt)
        {
            if (!seen.All(s => s.ContainsKey(post)))
            {
                missing++;
                continue;
            }
            everyAgent.Add(seen.Max(s => s[post]) - ackedAt);
            for (var i = 0; i < agents.Count; i++) byKind[agents[i].Kind].Add(seen[i][post] - ackedAt);
        }
        return new Result((int)(rate * seconds), run.AckedAt.Count, run.Failed, missing, new Percentiles(everyAgent),
            byKind.ToDictionary(p => p.Key, p => new Percentiles(p.Value)), run.AckedAt.Count / run.Seconds);
    }
}
