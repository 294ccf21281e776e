using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Parley.Ingest;

namespace Parley.Bench;

/// <summary>With <c>--diagnose</c>: where the server's time goes, seen from inside the process
/// without touching Parley's code. Every database command and transaction EF Core runs (from its
/// DiagnosticListener, with durations), the pieces of the inbound processor's write turns (its meter,
/// <see cref="ProcessingMetrics"/>), and how long work waits for a thread-pool thread.</summary>
public sealed partial class Diagnostics : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private sealed class Stat
    {
        public long Count;
        public long Statements;
        public long TotalTicks;
        public long MaxTicks;
        public long Over100Ms;
    }

    private readonly ConcurrentDictionary<string, Stat> _stats = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;
    private readonly Thread _sampler;
    private volatile bool _stopped;
    private readonly ConcurrentQueue<long> _poolDelays = new();
    private int _maxThreads;
    private long _pendingSum, _samples, _maxPending;
    private readonly MeterListener _meters = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _turnPieces = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _storePieces = new();
    private long _batches, _batched, _sweepTurns, _swept;

    public Diagnostics()
    {
        _all = DiagnosticListener.AllListeners.Subscribe(this);
        _sampler = new Thread(Sample) { IsBackground = true, Name = "bench-diagnostics" };
        _sampler.Start();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is ProcessingMetrics.MeterName or Parley.Triage.SweepMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<double>((instrument, ms, tags, _) =>
        {
            var pieces = instrument == ProcessingMetrics.StorePiece ? _storePieces : _turnPieces;
            foreach (var tag in tags)
                if (tag.Key == "piece" && tag.Value is string piece)
                    pieces.GetOrAdd(piece, _ => new ConcurrentQueue<long>()).Enqueue(Latencies.Ticks(TimeSpan.FromMilliseconds(ms)));
        });
        _meters.SetMeasurementEventCallback<int>((instrument, count, _, _) =>
        {
            if (instrument == Parley.Triage.SweepMetrics.Announced)
            {
                Interlocked.Increment(ref _sweepTurns);
                Interlocked.Add(ref _swept, count);
                return;
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _batched, count);
        });
        _meters.Start();
    }

    /// <summary>Prints what was gathered since the last call, then starts afresh.</summary>
    public void Report(string phase)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"    [diagnose] {phase}: database work by kind (count, statements/command, mean, max, total, >100 ms)");
        foreach (var (key, st) in _stats.OrderByDescending(p => p.Value.TotalTicks).Take(ByCaller ? 60 : 14))
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"      {key,-34} {st.Count,8:N0} × {(double)st.Statements / Math.Max(1, st.Count),6:0.0}  mean {Latencies.Ms(st.TotalTicks / Math.Max(1, st.Count)),7:0.00} ms  max {Latencies.Ms(st.MaxTicks),8:0.0} ms  total {Latencies.Ms(st.TotalTicks) / 1000,6:0.00} s  slow {st.Over100Ms,5:N0}");
        }
        if (_batches > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"    [diagnose] {phase}: the processor's write turns: {_batches:N0} batches of {(double)_batched / _batches:0.0} deliveries on average; per piece");
            foreach (var piece in new[] { "wait", "begin", "check", "write", "commit", "turn", "checkpoint" })
                if (_turnPieces.TryGetValue(piece, out var ticks))
                {
                    var l = new Latencies(ticks);
                    s.AppendLine(CultureInfo.InvariantCulture, $"      {piece,-8} mean {l.Mean,7:0.00} ms  {l.Summary()}");
                }
        }
        if (_storePieces.TryGetValue("store", out var stores))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"    [diagnose] {phase}: the raw store's batches: {stores.Count:N0}; per piece");
            foreach (var piece in new[] { "checkpoint", "begin", "insert", "commit", "store" })
                if (_storePieces.TryGetValue(piece, out var ticks))
                {
                    var l = new Latencies(ticks);
                    s.AppendLine(CultureInfo.InvariantCulture, $"      {piece,-10} mean {l.Mean,7:0.00} ms  {l.Summary()}");
                }
        }
        if (_sweepTurns > 0)
            s.AppendLine(CultureInfo.InvariantCulture,
                $"    [diagnose] {phase}: the patience sweep announced {_swept:N0} conversations in {_sweepTurns:N0} turns (docs/adr/0049)");
        _locks.Report(s, phase);
        var delays = new Latencies(_poolDelays);
        s.AppendLine(CultureInfo.InvariantCulture,
            $"    [diagnose] {phase}: thread pool: up to {_maxThreads} threads, mean {(double)_pendingSum / Math.Max(1, _samples):0.0} (max {_maxPending}) queued items; "
            + $"a queued item waited {delays.Summary()}");
        Console.Error.Write(s.ToString());
        _stats.Clear();
        _poolDelays.Clear();
        _turnPieces.Clear();
        _storePieces.Clear();
        _batches = _batched = _sweepTurns = _swept = 0;
        _maxThreads = 0;
        _pendingSum = _samples = _maxPending = 0;
    }

    // Every 20 ms, outside the pool: how many threads, how much queued, and how long a new item waits to run.
    private void Sample()
    {
        while (!_stopped)
        {
            Thread.Sleep(20);
            _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
            var pending = ThreadPool.PendingWorkItemCount;
            _pendingSum += pending;
            _samples++;
            _maxPending = Math.Max(_maxPending, pending);
            var queued = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(q => _poolDelays.Enqueue(Stopwatch.GetTimestamp() - q), queued, preferLocal: false);
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name != DbLoggerCategory.Name) return;
        lock (_subscriptions) _subscriptions.Add(value.Subscribe(this, name =>
            name == RelationalEventId.CommandExecuted.Name || name == RelationalEventId.CommandError.Name
            || name == RelationalEventId.TransactionStarted.Name || name == RelationalEventId.TransactionCommitted.Name
            || name == RelationalEventId.TransactionRolledBack.Name
            || name == CoreEventId.DetectChangesStarting.Name || name == CoreEventId.DetectChangesCompleted.Name
            || name == CoreEventId.SaveChangesStarting.Name || name == CoreEventId.SaveChangesCompleted.Name));
    }

    // DetectChanges runs synchronously on one thread; SaveChanges may resume elsewhere, so it is keyed by context.
    [ThreadStatic] private static long t_detectStarted;
    private readonly ConcurrentDictionary<DbContext, long> _saveStarted = new();

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == CoreEventId.DetectChangesStarting.Name) { t_detectStarted = Stopwatch.GetTimestamp(); return; }
        if (value.Key == CoreEventId.DetectChangesCompleted.Name)
        {
            if (t_detectStarted != 0) Record("EF DetectChanges", 1, Stopwatch.GetElapsedTime(t_detectStarted));
            t_detectStarted = 0;
            return;
        }
        if (value.Key == CoreEventId.SaveChangesStarting.Name && value.Value is DbContextEventData started && started.Context is { } c1)
        {
            _saveStarted[c1] = Stopwatch.GetTimestamp();
            return;
        }
        if (value.Key == CoreEventId.SaveChangesCompleted.Name && value.Value is DbContextEventData done && done.Context is { } c2)
        {
            if (_saveStarted.TryRemove(c2, out var at)) Record("EF SaveChanges (whole call)", 1, Stopwatch.GetElapsedTime(at));
            return;
        }
        switch (value.Value)
        {
            case CommandExecutedEventData d:
                var kind = KindOf(d.Command.CommandText);
                Record(ByCaller ? $"{kind} <- {WriteLockHolders.Caller()}" : kind, Statements(d.Command.CommandText), d.Duration);
                // A write outside a transaction holds SQLite's lock for as long as it runs.
                if (d.Command.Transaction is null && WriteLockHolders.Writes(kind)) _locks.Held(WriteLockHolders.Caller() + " (" + kind + ")", d.Duration);
                break;
            case CommandErrorEventData d: Record("ERROR " + KindOf(d.Command.CommandText), 1, d.Duration); break;
            case TransactionEndEventData d when value.Key == RelationalEventId.TransactionStarted.Name:
                Record("BEGIN (transaction)", 1, d.Duration);
                _locks.Began(d.TransactionId);
                break;
            case TransactionEndEventData d when value.Key == RelationalEventId.TransactionCommitted.Name:
                Record("COMMIT (transaction)", 1, d.Duration);
                _locks.Ended(d.TransactionId);
                break;
            case TransactionEndEventData d: _locks.Ended(d.TransactionId); break;
        }
    }

    /// <summary>PARLEY_BENCH_CALLERS=1: each statement kind is counted per caller (a stack walk per statement: slows the
    /// server down, so only for finding out who runs what, not for timings).</summary>
    private static readonly bool ByCaller = Environment.GetEnvironmentVariable("PARLEY_BENCH_CALLERS") == "1";
    private readonly WriteLockHolders _locks = new();

    private void Record(string key, int statements, TimeSpan duration)
    {
        var st = _stats.GetOrAdd(key, _ => new Stat());
        var ticks = Latencies.Ticks(duration);
        Interlocked.Increment(ref st.Count);
        Interlocked.Add(ref st.Statements, statements);
        Interlocked.Add(ref st.TotalTicks, ticks);
        if (duration.TotalMilliseconds > 100) Interlocked.Increment(ref st.Over100Ms);
        long max;
        while (ticks > (max = Interlocked.Read(ref st.MaxTicks)) && Interlocked.CompareExchange(ref st.MaxTicks, ticks, max) != max) { }
    }

    // The statement's verb and the first table it names: EF Core's SELECTs quote their columns before the FROM.
    [GeneratedRegex("""^\s*(?:(?<verb>UPDATE)\s+"(?<table>\w+)"|(?<verb>[A-Za-z]+)\b.*?\b(?:FROM|INTO)\s+"(?<table>\w+)"|(?<verb>[A-Za-z]+))""", RegexOptions.Singleline)]
    private static partial Regex Kind();

    private static string KindOf(string sql)
    {
        var m = Kind().Match(sql);
        if (!m.Success) return "other";
        var verb = m.Groups["verb"].Value.ToUpperInvariant();
        return m.Groups["table"].Success ? $"{verb} {m.Groups["table"].Value}" : verb;
    }

    private static int Statements(string sql)
    {
        var n = 0;
        foreach (var line in sql.AsSpan().EnumerateLines())
            if (line.TrimEnd().EndsWith(";")) n++;
        return Math.Max(1, n);
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        _stopped = true;
        _meters.Dispose();
        _all.Dispose();
        lock (_subscriptions) foreach (var s in _subscriptions) s.Dispose();
    }
}
