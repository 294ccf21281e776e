using Parley.Bench;

if (BenchOptions.Parse(args) is not { } options) return 2;
return await IngestBenchmark.RunAsync(options);
