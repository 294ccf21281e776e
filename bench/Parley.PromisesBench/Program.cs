
using System.Globalization;
using Parley.PromisesBench;

// Issue 4's performance promises: with 1,000,000 open conversations under policies, each sweep pass takes at most
// a second and each warning or breach fires within 5 s of its due time; assignment at 1,000 new conversations a
// second keeps every agent within capacity. Usage:
//   dotnet run -c Release --project bench/Parley.PromisesBench -- --database sqlite|postgres [--postgres <conn>]
//     [--conversations 1000000] [--due-per-second 1000] [--sweep-seconds 60] [--rate 1000] [--assign-seconds 30]
//     [--agents 450] [--handle-seconds 2.5]
var o = PromisesOptions.Parse(args);
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.Error.WriteLine($"Promises benchmark on {o.Database}: {o.Conversations:N0} open conversations, {o.DuePerSecond}/s coming due");
await using var database = await BenchDatabase.CreateAsync(o);
// Due instants start a little after seeding is expected to end; the run's clock is shifted to meet them.
var anchor = DateTimeOffset.UtcNow.AddHours(1);
var seeded = await Seeder.SeedAsync(database, o, anchor);
Console.Error.WriteLine($"  seeded in {seeded.Took.TotalSeconds:0} s");

var (sweepBase, sweep) = await SweepBenchmark.RunAsync(database, o, anchor);
var (assignBase, assign) = await AssignmentBenchmark.RunAsync(database, o, seeded.BrandId, seeded.ChannelId);

static string Ratio(double parley, double baseline) => baseline > 0 ? $"{parley / baseline:0.00}x" : "n/a";
Console.WriteLine($"## {o.Database}: {o.Conversations:N0} open conversations, {o.DuePerSecond} warnings due/s, sweep runs of {o.SweepSeconds} s; seeded in {seeded.Took.TotalSeconds:0} s");
Console.WriteLine();
Console.WriteLine("| Sweep | passes with work | idle passes | pass p50 / p99 / max (ms) | events | lateness p50 / p99 / max (ms) | duplicates |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var r in new[] { sweepBase, sweep })
    Console.WriteLine($"| {r.Name} | {r.Passes.Count} | {r.IdlePasses} | {r.Passes.Row()} | {r.Events} | {r.Lateness.Row()} | {r.Duplicates} |");
Console.WriteLine($"| Parley / baseline | | | {Ratio(sweep.Passes.P(50), sweepBase.Passes.P(50))} / {Ratio(sweep.Passes.P(99), sweepBase.Passes.P(99))} / {Ratio(sweep.Passes.Max, sweepBase.Passes.Max)} | "
    + $"| {Ratio(sweep.Lateness.P(50), sweepBase.Lateness.P(50))} / {Ratio(sweep.Lateness.P(99), sweepBase.Lateness.P(99))} / {Ratio(sweep.Lateness.Max, sweepBase.Lateness.Max)} | |");
Console.WriteLine();
Console.WriteLine($"Targets: pass at most 1,000 ms: {(sweep.Passes.Max <= 1000 ? "met" : "NOT met")} (max {sweep.Passes.Max:0} ms); "
    + $"each event within 5,000 ms of due: {(sweep.Lateness.Max <= 5000 ? "met" : "NOT met")} (max {sweep.Lateness.Max:0} ms).");
Console.WriteLine();
Console.WriteLine($"| Assignment ({o.Rate}/s for {o.AssignSeconds} s, {o.Agents} agents, capacities 6/10, handled {o.HandleSeconds} s) | arrived | assigned | decisions/s | latency p50 / p99 / max (ms) | capacity samples | over capacity | samples with someone full | assigned twice |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var r in new[] { assignBase, assign })
    Console.WriteLine($"| {r.Name} | {r.Arrived} | {r.Assigned} | {r.DecisionsPerSecond:0} | {r.Latency.Row()} | {r.Samples} | {r.OverCapacity} | {r.FullSamples} | {(r.Name.StartsWith("Parley", StringComparison.Ordinal) ? r.AssignedTwice.ToString(CultureInfo.InvariantCulture) : "n/a")} |");
Console.WriteLine($"| Parley / baseline | | | {Ratio(assign.DecisionsPerSecond, assignBase.DecisionsPerSecond)} | {Ratio(assign.Latency.P(50), assignBase.Latency.P(50))} / {Ratio(assign.Latency.P(99), assignBase.Latency.P(99))} / {Ratio(assign.Latency.Max, assignBase.Latency.Max)} | | | | |");
Console.WriteLine();
Console.WriteLine($"Targets: {o.Rate} decisions/s: {(assign.DecisionsPerSecond >= o.Rate * 0.97 && assign.Assigned == assign.Arrived ? "met" : "NOT met")}; "
    + $"every agent within capacity: {(assign.OverCapacity == 0 ? "met" : "NOT met")}; nothing assigned twice: {(assign.AssignedTwice == 0 ? "met" : "NOT met")}.");

