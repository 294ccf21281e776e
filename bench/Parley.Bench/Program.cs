using Parley.Bench;

if (BenchOptions.Parse(args) is not { } options) return 2;
return options.Command switch
{
    "breakdown" => await IngestBreakdown.RunAsync(options),
    "ladder" => await RequestLadder.RunAsync(options),
    "replay" => await ReplayBenchmark.RunAsync(options),
    "sweep" => await SweepBenchmark.RunAsync(options),
    _ => await IngestBenchmark.RunAsync(options),
};
