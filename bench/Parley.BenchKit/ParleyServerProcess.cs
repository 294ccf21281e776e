using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Parley.BenchKit;

/// <summary>Parley's server in a child process on a free loopback port, on a <see cref="ThrowawayDatabase"/> of its
/// own, so what it uses (resident memory, CPU time) is measured apart from the benchmark that drives it. Disposing
/// it kills the process and throws the database away.</summary>
public sealed class ParleyServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ThrowawayDatabase _database;

    private ParleyServerProcess(Process process, Uri url, ThrowawayDatabase database, string adminKey)
    {
        _process = process;
        _database = database;
        Url = url;
        Api = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
    }

    public Uri Url { get; }

    /// <summary>A client for Parley's API with the admin key.</summary>
    public HttpClient Api { get; }

    public int Pid => _process.Id;

    /// <summary>What <c>Parley:Database</c> is set to, for a benchmark's own seeding connection.</summary>
    public string Database => _database.Database;

    /// <summary>Starts <c>dotnet</c> with <paramref name="arguments"/> followed by <c>--urls</c>, with Parley's
    /// configuration pointed at <paramref name="database"/>, and waits until <c>/healthz</c> answers.</summary>
    /// <param name="environment">More environment variables (configuration) for this benchmark.</param>
    public static async Task<ParleyServerProcess> StartAsync(ThrowawayDatabase database, IEnumerable<string> arguments, string adminKey,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments.Append("--urls").Append(url.ToString().TrimEnd('/'))) start.ArgumentList.Add(a);
        start.Environment["Parley__Database"] = database.Database;
        start.Environment["Parley__KeysPath"] = Path.Combine(database.Folder, "keys");
        start.Environment["Parley__AdminKey"] = adminKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Parley did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("    [parley] " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var parley = new ParleyServerProcess(process, url, database, adminKey);
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Parley exited with {process.ExitCode} while starting.");
            try
            {
                using var health = await parley.Api.GetAsync("/healthz");
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("Parley did not answer /healthz within 120 s.");
            await Task.Delay(200);
        }
        return parley;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON; throws with Parley's answer unless it succeeded.</summary>
    public async Task<JsonElement> PostAsync(string path, object? body)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM), in MiB.</summary>
    public (double Now, double Peak) Memory()
    {
        double now = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) now = Kib(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kib(line) / 1024;
        }
        return (now, peak);
        static double Kib(string line) => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>CPU time the process has used so far (user + system, all threads).</summary>
    public TimeSpan CpuTime() => ProcStat.CpuTime(File.ReadAllText($"/proc/{Pid}/stat"));

    public static int FreePort()
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
        await _database.DisposeAsync();
    }
}
