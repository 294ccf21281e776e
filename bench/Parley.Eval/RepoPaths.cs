namespace Parley.Eval;

/// <summary>Where things are, found from the repository root (the folder holding Parley.slnx), so
/// the program runs the same from any working directory.</summary>
internal static class RepoPaths
{
    public static readonly string Root = FindRoot();
    public static string EvalFolder => Path.Combine(Root, "bench", "Parley.Eval");
    public static string SourceModels => Path.Combine(Root, "src", "Parley", "Triage", "Models");
    /// <summary>shared/data beside the repository, unless PARLEY_DATA points elsewhere.</summary>
    public static string Data => Environment.GetEnvironmentVariable("PARLEY_DATA") ?? Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run from inside the Parley repository (no Parley.slnx found above here).");
    }
}
