using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace Parley.WorkspaceBench;

/// <summary>Parley's own server (<c>Parley.dll serve</c>, as built next to this benchmark) in a child
/// process on a free loopback port, with a database of its own: a SQLite file in a fresh folder, or a
/// fresh PostgreSQL database that is dropped afterwards. Its resident memory is read from /proc.</summary>
public sealed class ParleyProcess : IAsyncDisposable
{
    public const string AdminKey = "pk_workspace_bench_admin_0123456789";

    private readonly Process _process;
    private readonly string _folder;
    private readonly string? _pgAdmin;
    private readonly string? _pgDatabase;

    public Uri Url { get; }
    /// <summary>What Parley:Database is set to, for the benchmark's own seeding connection.</summary>
    public string Database { get; }
    public HttpClient Api { get; }

    private ParleyProcess(Process process, Uri url, string folder, string database, string? pgAdmin, string? pgDatabase)
    {
        _process = process;
        Url = url;
        _folder = folder;
        Database = database;
        _pgAdmin = pgAdmin;
        _pgDatabase = pgDatabase;
        Api = new HttpClient { BaseAddress = url };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public static async Task<ParleyProcess> StartAsync(string? postgresAdmin)
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-workspace-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string database;
        string? pgDatabase = null;
        if (postgresAdmin is null) database = Path.Combine(folder, "parley.db");
        else
        {
            pgDatabase = "parley_wsbench_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new NpgsqlConnection(postgresAdmin))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {pgDatabase}", admin);
                await create.ExecuteNonQueryAsync();
            }
            database = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = pgDatabase }.ConnectionString;
        }

        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var dll = ParleyDll();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "serve", "--urls", url.ToString().TrimEnd('/') }) start.ArgumentList.Add(a);
        start.Environment["Parley__Database"] = database;
        start.Environment["Parley__KeysPath"] = Path.Combine(folder, "keys");
        start.Environment["Parley__AdminKey"] = AdminKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Parley did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var parley = new ParleyProcess(process, url, folder, database, postgresAdmin, pgDatabase);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Parley exited with {process.ExitCode} while starting.");
            try
            {
                using var health = await parley.Api.GetAsync("/healthz");
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("Parley did not answer /healthz within 60 s.");
            await Task.Delay(200);
        }
        return parley;
    }

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM), in MiB.</summary>
    public (double Now, double Peak) Memory()
    {
        double now = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) now = Kib(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kib(line) / 1024;
        }
        return (now, peak);
        static double Kib(string line) => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU time the process has used so far (user + system, all threads), from /proc/&lt;pid&gt;/stat.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // Fields after the command name (which may hold spaces, so it is skipped by its closing parenthesis): utime is the 12th, stime the 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>CPU time used so far by the processes this benchmark started below it (Chromium's browser, GPU and
    /// renderer processes; Parley itself is not a descendant of them), so the pages' cost can be told apart.</summary>
    public static TimeSpan DescendantsCpuTime(int except)
    {
        var self = Environment.ProcessId;
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
        }
        long total = 0;
        foreach (var (pid, used) in ticks)
        {
            if (pid == except) continue;
            for (var p = parents.GetValueOrDefault(pid); p > 1; p = parents.GetValueOrDefault(p))
            {
                if (p == except) break;
                if (p == self) { total += used; break; }
            }
        }
        return TimeSpan.FromSeconds(total / 100.0);
    }

    public int Pid => _process.Id;

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_pgAdmin is not null && _pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_pgAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
