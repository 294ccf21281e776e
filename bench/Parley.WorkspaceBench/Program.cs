using Parley.WorkspaceBench;

// What keeping SQLite's statistics costs the writers acknowledgements wait for (docs/adr/0042).
if (args is ["statistics", ..])
    return await StatisticsCost.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);

if (WorkspaceOptions.Parse(args) is not { } options) return 2;
return await WorkspaceBenchmark.RunAsync(options);
