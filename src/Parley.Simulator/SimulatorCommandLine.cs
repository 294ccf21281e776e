using System.Globalization;
using System.Runtime.InteropServices;

namespace Parley.Simulator;

/// <summary>
/// <c>Parley.Simulator [serve] [--urls http://127.0.0.1:5081]</c>: runs the network simulator alone.
/// <c>Parley.Simulator replay --dataset twcs.csv --parley http://127.0.0.1:5080 --x-channel GUID --x-secret S
/// [--x-account-id ID] [--x-handle NAME] [--meta-channel GUID --meta-secret S --meta-page ID] [--threads 100] [--speedup 600]</c>:
/// replays TWCS conversations into a running Parley.
/// </summary>
internal static class SimulatorCommandLine
{
    private const string Usage = """
        Usage:
          Parley.Simulator [serve] [--urls http://127.0.0.1:5081]
          Parley.Simulator replay --dataset <csv> --parley <url>
                 [--x-channel <guid> --x-secret <secret> --x-account-id <id> --x-handle <handle>]
                 [--meta-channel <guid> --meta-secret <secret> --meta-page <id>]
                 [--threads 100] [--speedup 600]
        """;

    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        if (!TryParseOptions(args.SkipWhile(a => !a.StartsWith('-')).ToArray(), out var options, out var error))
            return Fail(error);

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        try
        {
            return command switch
            {
                "serve" => await ServeAsync(options, stop.Token),
                "replay" => await ReplayAsync(options, stop.Token),
                "help" or "--help" => Fail(null),
                _ => Fail($"Unknown command '{command}'."),
            };
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
    }

    private static async Task<int> ServeAsync(Dictionary<string, string> options, CancellationToken ct)
    {
        var url = options.GetValueOrDefault("urls", "http://127.0.0.1:5081");
        await using var simulator = await NetworkSimulator.StartAsync(url, logging => logging.AddSimpleConsole(o => o.SingleLine = true), ct);
        Console.WriteLine($"Network simulator listening on {simulator.BaseAddress} (X API v2 under /2, Graph under /v*/, control under /_sim). Ctrl+C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static async Task<int> ReplayAsync(Dictionary<string, string> options, CancellationToken ct)
    {
        if (!options.TryGetValue("dataset", out var dataset) || !options.TryGetValue("parley", out var parley))
            return Fail("replay needs --dataset and --parley.");
        if (!Uri.TryCreate(parley, UriKind.Absolute, out var parleyUri)) return Fail($"--parley '{parley}' is not an absolute URL.");
        if (!TryGuid(options, "x-channel", out var xChannel) || !TryGuid(options, "meta-channel", out var metaChannel))
            return Fail("--x-channel and --meta-channel take GUIDs.");
        if (xChannel == Guid.Empty && metaChannel == Guid.Empty) return Fail("replay needs --x-channel or --meta-channel.");
        if (!double.TryParse(options.GetValueOrDefault("speedup", "600"), NumberStyles.Float, CultureInfo.InvariantCulture, out var speedup) || speedup <= 0)
            return Fail("--speedup takes a positive number.");
        if (!int.TryParse(options.GetValueOrDefault("threads", "100"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var maxThreads))
            return Fail("--threads takes a number.");

        var target = new ReplayTarget(parleyUri, xChannel, options.GetValueOrDefault("x-secret", ""),
            options.GetValueOrDefault("x-account-id", "0"), options.GetValueOrDefault("x-handle", "parleycare"),
            metaChannel, options.GetValueOrDefault("meta-secret", ""), options.GetValueOrDefault("meta-page", "0"));
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var threads = TwcsReplayer.Load(dataset, maxThreads);
        var summary = await new TwcsReplayer(logger: loggers.CreateLogger<TwcsReplayer>()).ReplayAsync(target, threads, speedup, ct);
        return summary.Failed == 0 ? 0 : 1;
    }

    /// <summary><c>--name value</c> pairs (also <c>--name=value</c>); a flag without a value reads as "true".</summary>
    private static bool TryParseOptions(string[] args, out Dictionary<string, string> options, out string? error)
    {
        options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"Unexpected argument '{args[i]}'.";
                return false;
            }
            var name = args[i][2..];
            if (name.IndexOf('=', StringComparison.Ordinal) is var eq and > 0) options[name[..eq]] = name[(eq + 1)..];
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) options[name] = args[++i];
            else options[name] = "true";
        }
        return true;
    }

    private static bool TryGuid(Dictionary<string, string> options, string name, out Guid value)
    {
        value = Guid.Empty;
        return !options.TryGetValue(name, out var raw) || Guid.TryParse(raw, out value);
    }

    private static int Fail(string? error)
    {
        if (error is not null) Console.Error.WriteLine(error);
        Console.Error.WriteLine(Usage);
        return error is null ? 0 : 2;
    }
}
