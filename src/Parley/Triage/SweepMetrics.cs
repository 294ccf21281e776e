using System.Diagnostics.Metrics;

namespace Parley.Triage;

/// <summary>What the patience sweep's write turns announce, on the meter <see cref="MeterName"/>: with its statements
/// plain commands (docs/adr/0049) EF Core's diagnostics no longer count its events, and its cost is read per announced
/// conversation. Nothing is recorded unless a listener (the ingest benchmark's <c>--diagnose</c>, or OpenTelemetry /
/// <c>dotnet-counters</c>) subscribes.</summary>
public static class SweepMetrics
{
    public const string MeterName = "Parley.Triage";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Conversations one turn marked announced (an event each for the open ones).</summary>
    public static readonly Histogram<int> Announced = Meter.CreateHistogram<int>("parley.triage.patience_sweep.announced", "{conversation}");
}
