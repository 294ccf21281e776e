using Parley.WorkspaceBench;

if (WorkspaceOptions.Parse(args) is not { } options) return 2;
return await WorkspaceBenchmark.RunAsync(options);
