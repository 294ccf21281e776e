using System.Globalization;

namespace Parley.Bench;

public sealed record BenchOptions(
    string Command, string Database, string? Postgres, int Seconds, int Connections, int WarmupSeconds, int? Customers, double? OpenRate, bool Diagnose = false, bool IngestOnly = false,
    int Events = 1_000_000, int Page = 1000, int Rounds = 2, int[]? Rungs = null, double CommitMs = 2, int? GatherMs = null, double[]? Steps = null,
    int BurstRounds = 2, int? MaxDelayMs = null)
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Parley.Bench -- ingest|breakdown|ladder|replay|sweep [options]

          ingest      issue 2's benchmark: bare Kestrel baseline, Parley closed and open loop, the highest rate
                      meeting both latency targets (5 s steps), exactly-once check
          breakdown   where the ingest time goes: request pieces, ingest with processing stopped,
                      EF Core against plain inserts, processing variants (for investigation)
          ladder      where a webhook request's CPU goes: endpoints that add one piece of the X webhook path at a
                      time, from bare Kestrel to the real endpoint (processing stopped), CPU and bytes per request
          replay      issue 6's benchmark: seed --events raw rows, replay them from the start over
                      GET /api/v1/events in pages of --page, against the same rows read through ADO.NET
          sweep       the patience sweep's write lock, CPU and bytes per announced conversation, against the bare
                      inserts and update of the same rows (--customers N due bursts, default 4000; --rounds N)


          --database sqlite|postgres   which database Parley runs on (default sqlite)
          --postgres "<conn>"          PostgreSQL server to create a fresh database on
                                       (default $PARLEY_BENCH_POSTGRES or Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres)
          --seconds N                  length of each measured run (default 10)
          --connections N              concurrent connections / closed-loop workers, the same for bare Kestrel
                                       and Parley (default 128: a durable acknowledgement waits for a disk
                                       flush, so a rate R at latency L needs R × L requests in flight)
          --warmup N                   seconds of warm-up before each closed-loop run (default 3)
          --customers twcs|N           who sends the tweets: customers who write as often as TWCS's do (default),
                                       or N customers taking turns, each building a long history (docs/adr/0039)
          --open-rate R                open-loop arrival rate in requests/s (default: a quarter of the bare-Kestrel
                                       rate, half the ingest target; docs/adr/0035)
          --ingest-only                breakdown: stop after bare Kestrel and Parley's ingest with processing stopped
          --rounds N                   ladder: times to climb the ladder, every other round top down (default 2)
          --rungs 0,6,8                ladder: only these rungs (default all; 9, the journal alone, climbs between 7 and 8)
          --commit-ms N                ladder: how long the sleeping store's commit takes (default 2; the real
                                       store's mean commit time is printed with its rung)
          --events N                   replay: events to seed (default 1000000)
          --page N                     replay: events per page (default 1000, at most 10000, the API's largest page)
          --steps 600,900,1200         ingest: instead of searching, run the capacity steps at these rates (to compare
                                       two builds or settings step for step: CPU per request, latencies)
          --gather-ms N                ingest: how long the inbound processor lets deliveries gather after a small
                                       batch (default Parley's own: 0, none; docs/adr/0043)
          --burst-rounds N             ingest: after the closed loop, N rounds of bare Kestrel and closed-loop bursts of
                                       --seconds with acknowledge first's yield on and off, alternated, each followed by
                                       its drain (default 2; 0 skips them; docs/adr/0047)
          --max-delay-ms N             ingest: Parley:Ingest:MaxProcessingDelay for the whole run, the ceiling on how
                                       long processing yields to acknowledgements (default Parley's own: 5000; 0 turns
                                       the yield off)
          --diagnose                   also print, per phase, Parley's database commands with their durations and
                                       thread-pool queueing (adds a little overhead)
        """;

    public bool IsPostgres => Database == "postgres";

    /// <summary>Who sends the generated tweets (<c>--customers</c>).</summary>
    public CustomerPool CustomerPool() => Customers is { } n ? Bench.CustomerPool.Uniform(n) : Bench.CustomerPool.FromTwcs(Bench.CustomerPool.TwcsCsv);

    /// <returns>null (after printing why) when the arguments are not understood.</returns>
    public static BenchOptions? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("ingest" or "breakdown" or "ladder" or "replay" or "sweep"))
        {
            Console.Error.WriteLine(Usage);
            return null;
        }
        var o = new BenchOptions(args[0], "sqlite", null, 10, 128, 3, null, null);
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--diagnose")
            {
                o = o with { Diagnose = true };
                continue;
            }
            if (name == "--ingest-only")
            {
                o = o with { IngestOnly = true };
                continue;
            }
            if (i + 1 >= args.Length) return Fail($"{name} needs a value.");
            var value = args[++i];
            switch (name)
            {
                case "--database" when value is "sqlite" or "postgres": o = o with { Database = value }; break;
                case "--postgres": o = o with { Postgres = value }; break;
                case "--seconds" when PositiveInt(value) is { } n: o = o with { Seconds = n }; break;
                case "--connections" when PositiveInt(value) is { } n: o = o with { Connections = n }; break;
                case "--warmup" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0: o = o with { WarmupSeconds = n }; break;
                case "--customers" when value == "twcs": o = o with { Customers = null }; break;
                case "--customers" when PositiveInt(value) is { } n: o = o with { Customers = n }; break;
                case "--rounds" when PositiveInt(value) is { } n: o = o with { Rounds = n }; break;
                case "--rungs" when value.Split(',').All(r => int.TryParse(r, CultureInfo.InvariantCulture, out var n) && n >= 0):
                    o = o with { Rungs = [.. value.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))] };
                    break;
                case "--commit-ms" when double.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms >= 0: o = o with { CommitMs = ms }; break;
                case "--events" when PositiveInt(value) is { } n: o = o with { Events = n }; break;
                case "--page" when PositiveInt(value) is { } n && n <= Parley.Platform.Events.EventEndpoints.MaxPage: o = o with { Page = n }; break;
                case "--steps" when value.Split(',').All(r => double.TryParse(r, CultureInfo.InvariantCulture, out var x) && x > 0):
                    o = o with { Steps = [.. value.Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))] };
                    break;
                case "--burst-rounds" when int.TryParse(value, CultureInfo.InvariantCulture, out var b) && b >= 0: o = o with { BurstRounds = b }; break;
                case "--max-delay-ms" when int.TryParse(value, CultureInfo.InvariantCulture, out var d) && d >= 0: o = o with { MaxDelayMs = d }; break;
                case "--gather-ms" when int.TryParse(value, CultureInfo.InvariantCulture, out var g) && g >= 0: o = o with { GatherMs = g }; break;
                case "--open-rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: o = o with { OpenRate = r }; break;
                default: return Fail($"Unknown option or bad value: {name} {value}");
            }
        }
        if (o.IsPostgres && o.Postgres is null)
            o = o with { Postgres = Environment.GetEnvironmentVariable("PARLEY_BENCH_POSTGRES") is { Length: > 0 } env ? env : DefaultPostgres };
        return o;
    }

    private static int? PositiveInt(string s) => int.TryParse(s, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static BenchOptions? Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return null;
    }
}
