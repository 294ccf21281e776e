using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Parley.Bench;

/// <summary>Collects one run's measurements and prints them as a markdown table with notes.</summary>
public sealed class IngestReport(BenchOptions options)
{
    public const double IngestRatioTarget = 0.5;
    public const double AckP99TargetMs = 20;
    public const double ReadableP99TargetMs = 100;

    public int BodyBytes { get; set; }
    /// <summary>Who sent the tweets (<see cref="CustomerPool.Describe"/>).</summary>
    public string Customers { get; set; } = "";
    public ClosedLoopResult Bare { get; set; } = null!;
    public CpuUse BareCpu { get; set; } = null!;
    public IReadOnlyDictionary<string, int> BareStatuses { get; set; } = new Dictionary<string, int>();
    public double OpenRate { get; set; }
    public ClosedLoopResult Parley { get; set; } = null!;
    public CpuUse ParleyCpu { get; set; } = null!;
    public double ProcessedDuringLoad { get; set; }
    public TimeSpan Backlog { get; set; }
    /// <summary>Deliveries waiting to be processed when the closed loop ended, and the oldest one's age in seconds.</summary>
    public int BacklogAtEnd { get; set; }
    public double OldestAgeAtEnd { get; set; }
    /// <summary>Acknowledge first's ceiling in this run (zero: off), and its bursts on and off (ADR 47).</summary>
    public TimeSpan Ceiling { get; set; }
    public IReadOnlyList<BurstRounds.Burst> Bursts { get; set; } = [];
    public double ProcessingRate { get; set; }
    public OpenLoopStep OpenStep { get; set; } = null!;
    public IReadOnlyList<CapacitySearch.Step> Capacity { get; set; } = [];
    private OpenLoopResult Open => OpenStep.Open;
    private CpuUse OpenCpu => OpenStep.Cpu;
    private int NeverReadable => OpenStep.NeverReadable;
    private int ReadableBeforeAck => OpenStep.ReadableBeforeAck;
    private Latencies Readable => OpenStep.Readable;
    public IReadOnlyDictionary<string, int> ParleyStatuses { get; set; } = new Dictionary<string, int>();
    public StorageCheck Storage { get; set; } = null!;

    public string Render()
    {
        var ratio = Parley.Rate / Bare.Rate;
        var ackP99 = Open.FromSchedule.Percentile(99);
        var readableP99 = Readable.Percentile(99);
        var c = options.Connections;
        var s = new StringBuilder();
        s.AppendLine(Invariant($"### Ingest on {(options.IsPostgres ? "PostgreSQL" : "SQLite")}: {c} connections, {options.Seconds} s runs"));
        s.AppendLine();
        s.AppendLine("| metric | value | target | met? |");
        s.AppendLine("|---|---|---|---|");
        Row(s, $"bare Kestrel, closed loop ({c} connections)", $"{Bare.Rate:N0} req/s", "baseline", "–");
        Row(s, "Parley durable ingest, closed loop", $"{Parley.Rate:N0} req/s", $"≥ {Bare.Rate * IngestRatioTarget:N0} req/s", Met(ratio >= IngestRatioTarget));
        Row(s, "Parley / bare Kestrel", $"{ratio:0.00}", $"≥ {IngestRatioTarget:0.00}", Met(ratio >= IngestRatioTarget));
        Row(s, $"open loop at {(options.OpenRate is null ? "¼ bare rate (half the target rate)" : "a chosen rate")}", $"{Open.AchievedRate:N0} of {OpenRate:N0} req/s",
            "sustained", Open.Sustained ? "yes" : "**no, not sustained**");
        Row(s, "ack latency p50 / p90 / p99 / max", Ms4(Open.FromSchedule), $"p99 ≤ {AckP99TargetMs:0} ms", Met(Open.Sustained && ackP99 <= AckP99TargetMs));
        Row(s, "ack → readable (event stream) p50 / p99 / max", Ms3(Readable), $"p99 ≤ {ReadableP99TargetMs:0} ms",
            Met(NeverReadable == 0 && readableP99 <= ReadableP99TargetMs));
        Row(s, "acknowledged / stored once / duplicates / missing",
            $"{Storage.Acknowledged:N0} / {Storage.Stored:N0} / {Storage.Duplicates:N0} / {Storage.Missing:N0}", "all stored exactly once", Met(Storage.Passed));
        var capacity = CapacitySearch.Capacity(Capacity);
        var halfTarget = Bare.Rate * IngestRatioTarget / 2;
        Row(s, "highest open-loop rate meeting both latency targets (5 s steps)", $"{capacity:N0} req/s ({capacity / Bare.Rate:0.00} × bare)",
            $"≥ {halfTarget:N0} req/s", Met(capacity >= halfTarget));
        s.AppendLine();

        s.AppendLine("Details:");
        s.AppendLine();
        Line(s, $"Machine: {Environment.ProcessorCount} cores shared by the load generator and the server (both in this process), loopback HTTP/1.1, "
            + $"{RuntimeInformation.FrameworkDescription}, server GC. Bodies: X tweet_create_events of {BodyBytes:N0} bytes, "
            + $"a new tweet id each, from {Customers}, signed in advance.");
        Line(s, $"Bare Kestrel: {Bare.Completed:N0} requests in {Bare.Seconds:0.0} s, latency {Bare.Service.Summary()}; CPU {BareCpu}.{Statuses(BareStatuses)}");
        Line(s, $"Parley closed loop: {Parley.Completed:N0} requests in {Parley.Seconds:0.0} s, latency {Parley.Service.Summary()}; CPU {ParleyCpu}; "
            + $"{Parley.Errors:N0} errors.");
        Line(s, $"Processing (raw delivery → message in a conversation, in the background) managed {ProcessedDuringLoad:N0} messages/s during the closed loop; "
            + $"{BacklogAtEnd:N0} deliveries were waiting at its end, the oldest for {OldestAgeAtEnd:0.0} s (acknowledge first's ceiling {Ceiling.TotalSeconds:0.#} s, 0: off); "
            + $"the backlog took {Backlog.TotalSeconds:0.0} s more to clear ({ProcessingRate:N0} messages/s on average from the start of the run).");
        Line(s, $"Open loop: {Open.Scheduled:N0} requests scheduled over {Open.Seconds:0.0} s, {Open.Completed:N0} acknowledged, {Open.Errors:N0} errors; "
            + $"the last answer came {Open.DrainSeconds * 1000:N0} ms after the last scheduled send. "
            + $"Latency is measured from each request's scheduled time (no coordinated omission); "
            + $"from send to answer (including any wait for a free connection) {Open.Service.Summary()}; generator lateness (send − schedule) {Open.Lateness.Summary()}; CPU {OpenCpu}.");
        if (Capacity.Count > 0)
            Line(s, "Capacity steps (rate: ack p99 / ack → readable p99): " + string.Join("; ", Capacity.Select(c => Invariant(
                $"{c.Rate:N0}/s: {c.Result.Open.FromSchedule.Percentile(99):0.0} / {c.Result.Readable.Percentile(99):0.0} ms{(c.Result.MeetsTargets ? "" : " (missed)")}"))) + ".");
        var busiest = new[] { BareCpu, ParleyCpu, OpenCpu }.Max(c => c.OthersShare);
        if (busiest > 0.05)
            Line(s, $"**Other processes used up to {busiest:P0} of the machine during a measured run**; the numbers above are skewed by them.");
        if (Open.Abandoned)
            Line(s, $"**The open-loop rate of {OpenRate:N0} req/s was not sustained**: after {Open.Seconds:0.0} s more than two seconds' worth of "
                + $"requests ({OpenRate * 2:N0}) were waiting for an answer, so scheduling stopped there; {Open.AchievedRate:N0} req/s were acknowledged "
                + "and the latencies above are those of a growing queue.");
        else if (!Open.Sustained)
            Line(s, $"**The open-loop rate of {OpenRate:N0} req/s was not sustained**: {Open.AchievedRate:N0} req/s were acknowledged, "
                + "so the acknowledgement latencies above include queueing behind the backlog.");
        Line(s, $"Readable: {Readable.Count:N0} of {Open.Completed:N0} acknowledged tweets seen as message.received on /api/v1/events/stream"
            + $"{(NeverReadable > 0 ? $", {NeverReadable:N0} not within 60 s after the run" : "")}"
            + $"{(ReadableBeforeAck > 0 ? $"; {ReadableBeforeAck:N0} arrived before their 200 did (counted as 0 ms)" : "")}.");
        Line(s, $"Storage: {Storage.StoredNotAcknowledged:N0} messages stored without an acknowledgement seen by the client (allowed), "
            + $"{Storage.FailedDeliveries:N0} failed and {Storage.QuarantinedDeliveries:N0} quarantined deliveries.{Statuses(ParleyStatuses)}");
        if (Bursts.Count > 0)
        {
            s.AppendLine();
            s.Append(BurstRounds.Render(Bursts, Ceiling));
        }
        return s.ToString();
    }

    private static void Row(StringBuilder s, string metric, string value, string target, string met) =>
        s.AppendLine($"| {metric} | {value} | {target} | {met} |");

    private static void Line(StringBuilder s, string text) => s.AppendLine("- " + text);

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Ms4(Latencies l) => Invariant($"{l.Percentile(50):0.0} / {l.Percentile(90):0.0} / {l.Percentile(99):0.0} / {l.Max:0.0} ms");

    private static string Ms3(Latencies l) => Invariant($"{l.Percentile(50):0.0} / {l.Percentile(99):0.0} / {l.Max:0.0} ms");

    private static string Statuses(IReadOnlyDictionary<string, int> failures) => failures.Count == 0 ? ""
        : " Not acknowledged: " + string.Join(", ", failures.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value:N0}")) + ".";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
