using System.Globalization;

namespace Parley.WorkspaceBench;

public sealed record WorkspaceOptions(
    string Database, string? Postgres, int Conversations, int Loads, int Agents, int BrowserAgents, double Rate, int Seconds)
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Parley.WorkspaceBench -- [options]

        Issue 3's benchmark: the inbox and a conversation rendered in Chromium over a large database, and
        live updates fanned out to many connected agents, each against a bare-Kestrel page doing the least
        the same job needs, measured in the same run. Parley runs as its own process so its memory is its own.

          --database sqlite|postgres   Parley's database (default sqlite)
          --postgres "<conn>"          PostgreSQL server to create a fresh database on
                                       (default $PARLEY_BENCH_POSTGRES or Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres)
          --conversations N            conversations in the database before measuring (default 100000)
          --loads N                    page loads timed per page (default 20)
          --agents N                   connected agents during the live run (default 50)
          --browser-agents N           of those, how many are real Chromium pages; the rest follow the inbox's
                                       own protocol (event stream, then the changed rows) over HTTP (default 4)
          --rate R                     posts per second during the live run (default 100)
          --seconds N                  length of the live run (default 30)
        """;

    public bool IsPostgres => Database == "postgres";

    public static WorkspaceOptions? Parse(string[] args)
    {
        var o = new WorkspaceOptions("sqlite", null, 100_000, 20, 50, 4, 100, 30);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return Fail("");
            if (i + 1 >= args.Length) return Fail($"{name} needs a value.");
            var value = args[++i];
            switch (name)
            {
                case "--database" when value is "sqlite" or "postgres": o = o with { Database = value }; break;
                case "--postgres": o = o with { Postgres = value }; break;
                case "--conversations" when Int(value) is { } n and >= 0: o = o with { Conversations = n }; break;
                case "--loads" when Int(value) is { } n and > 0: o = o with { Loads = n }; break;
                case "--agents" when Int(value) is { } n and > 0: o = o with { Agents = n }; break;
                case "--browser-agents" when Int(value) is { } n and >= 0: o = o with { BrowserAgents = n }; break;
                case "--rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: o = o with { Rate = r }; break;
                case "--seconds" when Int(value) is { } n and > 0: o = o with { Seconds = n }; break;
                default: return Fail($"Unknown option or bad value: {name} {value}");
            }
        }
        if (o.BrowserAgents > o.Agents) return Fail("--browser-agents cannot exceed --agents.");
        if (o.IsPostgres && o.Postgres is null)
            o = o with { Postgres = Environment.GetEnvironmentVariable("PARLEY_BENCH_POSTGRES") is { Length: > 0 } env ? env : DefaultPostgres };
        return o;
    }

    private static int? Int(string s) => int.TryParse(s, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static WorkspaceOptions? Fail(string message)
    {
        if (message.Length > 0) Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return null;
    }
}
