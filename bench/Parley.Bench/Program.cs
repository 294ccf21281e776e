using Parley.Bench;

if (BenchOptions.Parse(args) is not { } options) return 2;
return options.Command == "breakdown" ? await IngestBreakdown.RunAsync(options) : await IngestBenchmark.RunAsync(options);
