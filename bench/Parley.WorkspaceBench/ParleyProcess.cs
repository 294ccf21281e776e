using Parley.BenchKit;

namespace Parley.WorkspaceBench;

/// <summary>Parley's own server (<c>Parley.dll serve</c>, as built next to this benchmark) in a child process with a
/// database of its own (<see cref="ParleyServerProcess"/>), and the CPU its browser pages use.</summary>
public static class ParleyProcess
{
    public const string AdminKey = "pk_workspace_bench_admin_0123456789";

    public static async Task<ParleyServerProcess> StartAsync(string? postgresAdmin)
    {
        var database = await ThrowawayDatabase.CreateAsync("workspace", postgresAdmin);
        return await ParleyServerProcess.StartAsync(database, [ParleyDll(), "serve"], AdminKey);
    }

    /// <summary>CPU time used so far by the processes this benchmark started below it (Chromium's browser, GPU and
    /// renderer processes; Parley itself is not a descendant of them), so the pages' cost can be told apart.</summary>
    public static TimeSpan DescendantsCpuTime(int except)
    {
        var self = Environment.ProcessId;
        var parents = new Dictionary<int, int>();
        var cpu = new Dictionary<int, TimeSpan>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                (parents[pid], cpu[pid]) = ProcStat.Read(File.ReadAllText(Path.Combine(dir, "stat")));
            }
            catch (IOException) { }
        }
        var total = TimeSpan.Zero;
        foreach (var (pid, used) in cpu)
        {
            if (pid == except) continue;
            for (var p = parents.GetValueOrDefault(pid); p > 1; p = parents.GetValueOrDefault(p))
            {
                if (p == except) break;
                if (p == self) { total += used; break; }
            }
        }
        return total;
    }

    /// <summary>Parley as its own project built it (bench/X/bin/Release/net10.0 -> src/Parley/bin/Release/net10.0),
    /// so it runs with its own dependencies, settings and web assets.</summary>
    private static string ParleyDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Parley.slnx"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("Run the benchmark from the repository (Parley.slnx not found above " + here.FullName + ").");
        var dll = Path.Combine(root.FullName, "src", "Parley", "bin", configuration, framework, "Parley.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Parley first.", dll);
    }
}
