using System.Diagnostics.Metrics;

namespace Parley.Platform.Webhooks;

/// <summary>Where a first attempt spends its time between the event's commit and its answer, as histograms of the
/// meter <see cref="MeterName"/> (ADR 28). Nothing is recorded unless a listener (the fan-out benchmark, or
/// OpenTelemetry / <c>dotnet-counters</c>) subscribes, so they cost a flag check when nobody asks.</summary>
public static class FanOutMetrics
{
    public const string MeterName = "Parley.Webhooks";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>An event's age (now − occurredAt) when a follower read it: the writer's commit and the wait for a step.</summary>
    public static readonly Histogram<double> AgeAtRead = Meter.CreateHistogram<double>("parley.webhooks.fanout.age_at_read", "ms");

    /// <summary>The age of the newest event a read returned: near the writer's commit interval when the read reached the
    /// end of the log, more when it was served a stretch of the tail that had not been extended for a while.</summary>
    public static readonly Histogram<double> NewestAtRead = Meter.CreateHistogram<double>("parley.webhooks.fanout.newest_at_read", "ms");

    /// <summary>An event's age when its request was handed to the HTTP client: the above plus its turn in the batch.</summary>
    public static readonly Histogram<double> AgeAtSend = Meter.CreateHistogram<double>("parley.webhooks.fanout.age_at_send", "ms");

    /// <summary>An event's age when the endpoint's answer came back.</summary>
    public static readonly Histogram<double> AgeAtAnswer = Meter.CreateHistogram<double>("parley.webhooks.fanout.age_at_answer", "ms");

    /// <summary>How long each phase of a follower's step took, tagged <c>phase</c>: <c>rest</c> (between the end of
    /// one step and the start of the next), <c>load</c> (subscription and held-back conversations), <c>read</c>,
    /// <c>send</c>, <c>commit</c> (the endpoint's health when attempts failed, then waiting for and writing the group
    /// commit).</summary>
    public static readonly Histogram<double> StepPhase = Meter.CreateHistogram<double>("parley.webhooks.fanout.step_phase", "ms");

    /// <summary>How long one group commit's transaction took (<see cref="FollowerCommits"/>), all the steps in it together.</summary>
    public static readonly Histogram<double> GroupWrite = Meter.CreateHistogram<double>("parley.webhooks.fanout.group_write", "ms");

    /// <summary>Events a follower's read of the tail returned, tagged <c>source</c>: <c>memory</c> (served from the
    /// stretch alone), <c>extended</c> (the stretch and then the log after it), <c>behind</c> (the log, for a
    /// follower behind the stretch).</summary>
    public static readonly Histogram<int> TailRead = Meter.CreateHistogram<int>("parley.webhooks.fanout.tail_read", "{event}");

    public static void Read(string source, int events)
    {
        if (TailRead.Enabled) TailRead.Record(events, new KeyValuePair<string, object?>("source", source));
    }

    public static void Phase(string phase, TimeSpan took) =>
        StepPhase.Record(took.TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));

    public static double AgeMs(DateTimeOffset occurredAt, DateTimeOffset now) => (now - occurredAt).TotalMilliseconds;
}
