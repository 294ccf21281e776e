using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>Acknowledge first (docs/adr/0047): while webhook acknowledgements queue at the ingest writer
/// (<see cref="IngestPressure.Queuing"/>), the processor leaves the CPU to them and lets the backlog grow in the durable
/// raw store, up to <see cref="MaxProcessingDelay"/> past the oldest waiting delivery's arrival; from there it takes a
/// batch regardless, a larger one (<see cref="CatchUpBatch"/>), so a sustained overload settles with the inbox that far
/// behind instead of starving it. The yield is taken in the loop between batches, never inside a write turn.</summary>
public sealed partial class InboundProcessor
{
    /// <summary>While catching up under overload a batch holds at least this many deliveries: part of a batch's cost does
    /// not grow with its size (its queries, its commit, the work its pulse wakes; 442 µs a delivery in batches of 16
    /// against 177 µs in large ones on SQLite, docs/adr/0043), and on SQLite this is still a turn of tens of
    /// milliseconds, not hundreds.</summary>
    internal const int CatchUpBatch = 128;

    /// <summary>How often a yielding processor looks again: how soon after a burst it resumes.</summary>
    private static readonly TimeSpan YieldPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the oldest waiting delivery may wait while acknowledgements queue (zero: no yield). From
    /// <c>Parley:Ingest:MaxProcessingDelay</c>; the benchmark switches it.</summary>
    internal TimeSpan MaxProcessingDelay { get; set; } = options.Value.MaxProcessingDelay;

    /// <summary>When the processor stops yielding at the latest: the oldest waiting delivery's arrival plus
    /// <see cref="MaxProcessingDelay"/>, found when the yield began (it cannot change while nothing is processed).</summary>
    private DateTimeOffset? _yieldUntil;

    /// <summary>The last batch was taken because the ceiling was reached while acknowledgements still queued.</summary>
    private bool _catchingUp;

    /// <summary>The arrival (UTC ticks) of the oldest delivery still waiting, as last looked up (0: none, or not looked);
    /// a long, so the gauge's thread reads it whole.</summary>
    private long _oldestWaiting;

    private long _yieldingSince;

    /// <summary>Whether the processor is yielding now (metric, tests).</summary>
    public bool Yielding => Volatile.Read(ref _yieldingSince) != 0;

    /// <summary>For the benchmark and tests: times the processor looked and yielded, the time spent yielding (Stopwatch
    /// ticks), and batches taken at the ceiling.</summary>
    internal (long Polls, long YieldedTicks, long CatchUpBatches) YieldTotals =>
        (Interlocked.Read(ref _polls), Interlocked.Read(ref _yieldedTicks), Interlocked.Read(ref _catchUps));

    private long _polls, _yieldedTicks, _catchUps;

    /// <summary>How long the oldest waiting delivery has waited, as of the processor's last look (zero when it last
    /// found nothing waiting or has not looked: outside a yield a backlog is at most a batch or two).</summary>
    public TimeSpan ProcessingDelay => Volatile.Read(ref _oldestWaiting) is var oldest and not 0
        ? Max(TimeSpan.Zero, TimeSpan.FromTicks(clock.GetUtcNow().UtcTicks - oldest)) : TimeSpan.Zero;

    /// <summary>Decides, between batches, whether to leave the CPU to acknowledgements for a moment.</summary>
    /// <returns>True after a wait (the loop looks again), false when the next batch should be taken.</returns>
    private async Task<bool> YieldAsync(CancellationToken ct)
    {
        _catchingUp = false;
        if (MaxProcessingDelay <= TimeSpan.Zero || !pressure.Queuing) return Resume();
        if (_yieldUntil is null)
        {
            var found = await OldestWaitingAsync(ct);
            Volatile.Write(ref _oldestWaiting, found?.UtcTicks ?? 0);
            if (found is not { } oldest) return Resume();
            _yieldUntil = oldest + MaxProcessingDelay;
        }
        var left = _yieldUntil.Value - clock.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            _catchingUp = true;
            Interlocked.Increment(ref _catchUps);
            return Resume();
        }
        if (!Yielding)
        {
            Volatile.Write(ref _yieldingSince, Stopwatch.GetTimestamp());
            // What waits in the journal goes into the database meanwhile, as pending rows (docs/adr/0048).
            writer.Journalled?.ProcessorAway(true);
        }
        Interlocked.Increment(ref _polls);
        // Real time, whatever clock the ages are read on: the poll only decides how soon a burst's end is noticed.
        await Task.Delay(left < YieldPoll ? left : YieldPoll, ct);
        return true;
    }

    /// <summary>Ends a yield: the next batch is taken, after which the oldest waiting delivery is another one.</summary>
    private bool Resume()
    {
        _yieldUntil = null;
        var since = Interlocked.Exchange(ref _yieldingSince, 0);
        if (since != 0)
        {
            Interlocked.Add(ref _yieldedTicks, Stopwatch.GetTimestamp() - since);
            writer.Journalled?.ProcessorAway(false);
        }
        return false;
    }

    /// <summary>The batch the loop takes next: larger while catching up at the ceiling.</summary>
    private int NextTake() => Math.Min(_catchingUp ? Math.Max(_batchSize, CatchUpBatch) : _batchSize, BatchCap);

    /// <summary>A batch took fewer than it asked for: nothing is waiting any more.</summary>
    private void TookAll() => Volatile.Write(ref _oldestWaiting, 0);

    private async Task<DateTimeOffset?> OldestWaitingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        // The pending deliveries' partial index (docs/adr/0041) is in id order, which is arrival order; those still in
        // the ingest journal came later (docs/adr/0048).
        return await db.InboundEvents.AsNoTracking().Where(e => e.Status == InboundStatus.Pending).OrderBy(e => e.Id)
            .Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(ct) ?? writer.Journalled?.Backlog().Oldest;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The backlog as gauges of the meter <see cref="ProcessingMetrics.MeterName"/>, read when a listener
    /// collects (OpenTelemetry, <c>dotnet-counters</c>).</summary>
    private Meter CreateBacklogMeter()
    {
        var meter = new Meter(ProcessingMetrics.MeterName);
        meter.CreateObservableGauge("parley.ingest.processing.delay", () => ProcessingDelay.TotalSeconds, "s",
            "How long the oldest delivery waiting to be processed has waited, as of the processor's last look (docs/adr/0047).");
        meter.CreateObservableGauge("parley.ingest.processing.yielding", () => Yielding ? 1 : 0, "{bool}",
            "1 while the inbound processor leaves the CPU to queuing acknowledgements.");
        meter.CreateObservableGauge("parley.ingest.requests_per_commit", () => pressure.RequestsPerCommit, "{request}",
            "Requests per raw-store commit, averaged over about eight: how many acknowledgements wait behind one another.");
        return meter;
    }
}
