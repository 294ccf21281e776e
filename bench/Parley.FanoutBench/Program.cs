using Parley.FanoutBench;

// `parley-child` is this program started again by itself: Parley's server with the benchmark's event writer.
if (args.FirstOrDefault() == ParleyChild.Command) return await ParleyChild.RunAsync(args[1..]);
if (FanoutOptions.Parse(args) is not { } options) return 2;
return await FanoutBenchmark.RunAsync(options);
