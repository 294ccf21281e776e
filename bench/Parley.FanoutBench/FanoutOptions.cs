using System.Globalization;

namespace Parley.FanoutBench;

public sealed record FanoutOptions(string Database, string? Postgres, int Seconds, int BaselineSeconds, double Rate, int Subscriptions,
    int Failing, int Conversations, int Parallelism)
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Parley.FanoutBench -- [options]

        Issue 6's webhook fan-out benchmark: events appended at a steady rate inside Parley's process (committed
        and signalled as Parley's own writers do) and delivered to subscriptions whose receivers run in this
        process, one of them failing with 500. Measures the delay from an event's occurredAt to its receipt at the
        healthy receivers, and Parley's memory over the run; then a bare loop posting the same bodies to the same
        receivers, for the ratio.

          --database sqlite|postgres   Parley's database (default sqlite)
          --postgres "<conn>"          PostgreSQL server to create a fresh database on
                                       (default $PARLEY_BENCH_POSTGRES or Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres)
          --seconds N                  length of Parley's run (default 600: ten minutes)
          --baseline-seconds N         length of the bare loop's run (default 60)
          --rate R                     events per second (default 1000)
          --subscriptions N            subscriptions, each to its own receiver (default 20)
          --failing N                  of those, how many answer 500 to everything (default 1: 5% of 20)
          --conversations N            conversations the events are spread over (default 1000)
          --parallelism N              Parley:Webhooks:Parallelism (default: Parley's own)
        """;

    public bool IsPostgres => Database == "postgres";

    public static FanoutOptions? Parse(string[] args)
    {
        var o = new FanoutOptions("sqlite", null, 600, 60, 1000, 20, 1, 1000, 0);
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
                case "--seconds" when Int(value) is { } n and > 0: o = o with { Seconds = n }; break;
                case "--baseline-seconds" when Int(value) is { } n and >= 0: o = o with { BaselineSeconds = n }; break;
                case "--rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: o = o with { Rate = r }; break;
                case "--subscriptions" when Int(value) is { } n and > 0: o = o with { Subscriptions = n }; break;
                case "--failing" when Int(value) is { } n and >= 0: o = o with { Failing = n }; break;
                case "--conversations" when Int(value) is { } n and > 0: o = o with { Conversations = n }; break;
                case "--parallelism" when Int(value) is { } n and > 0: o = o with { Parallelism = n }; break;
                default: return Fail($"Unknown option or bad value: {name} {value}");
            }
        }
        if (o.Failing >= o.Subscriptions) return Fail("--failing must leave at least one healthy subscription.");
        if (o.IsPostgres && o.Postgres is null)
            o = o with { Postgres = Environment.GetEnvironmentVariable("PARLEY_BENCH_POSTGRES") is { Length: > 0 } env ? env : DefaultPostgres };
        return o;
    }

    private static int? Int(string s) => int.TryParse(s, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static FanoutOptions? Fail(string message)
    {
        if (message.Length > 0) Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return null;
    }
}
