using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Parley.Bench;

/// <summary>With <c>--diagnose</c>: who holds SQLite's write lock through EF Core, and for how long. On SQLite an EF Core
/// transaction begins with <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default), so it holds the lock from its start
/// to its commit or rollback; a write outside a transaction holds it while it runs. The raw store writes through its own
/// connection and is not seen here; the inbound processor is (InboundProcessor). Webhook acknowledgements wait for
/// whoever holds it (docs/adr/0042), so every holding longer than <see cref="Long"/> is counted per holder.</summary>
internal sealed class WriteLockHolders
{
    public static readonly TimeSpan Long = TimeSpan.FromMilliseconds(10);

    private sealed class Stat
    {
        public long Count, Over, TotalTicks, MaxTicks;
    }

    private readonly ConcurrentDictionary<Guid, (long Started, string Holder)> _open = new();
    private readonly ConcurrentDictionary<string, Stat> _stats = new();

    public static bool Writes(string kind) =>
        kind.StartsWith("INSERT", StringComparison.Ordinal) || kind.StartsWith("UPDATE", StringComparison.Ordinal)
        || kind.StartsWith("DELETE", StringComparison.Ordinal) || kind.StartsWith("PRAGMA", StringComparison.Ordinal) || kind.StartsWith("ANALYZE", StringComparison.Ordinal);

    public void Began(Guid transaction) => _open[transaction] = (Stopwatch.GetTimestamp(), Caller());

    public void Ended(Guid transaction)
    {
        if (_open.TryRemove(transaction, out var t)) Held(t.Holder, Stopwatch.GetElapsedTime(t.Started));
    }

    public void Held(string holder, TimeSpan duration)
    {
        var st = _stats.GetOrAdd(holder, _ => new Stat());
        var ticks = duration.Ticks;
        Interlocked.Increment(ref st.Count);
        Interlocked.Add(ref st.TotalTicks, ticks);
        if (duration > Long) Interlocked.Increment(ref st.Over);
        long max;
        while (ticks > (max = Interlocked.Read(ref st.MaxTicks)) && Interlocked.CompareExchange(ref st.MaxTicks, ticks, max) != max) { }
    }

    public void Report(StringBuilder s, string phase)
    {
        if (_stats.IsEmpty) return;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"    [diagnose] {phase}: SQLite's write lock held through EF Core, by holder (count, > {Long.TotalMilliseconds:0} ms, mean, max, total)");
        foreach (var (holder, st) in _stats.OrderByDescending(p => p.Value.Over).ThenByDescending(p => p.Value.TotalTicks).Take(12))
            s.AppendLine(CultureInfo.InvariantCulture,
                $"      {holder,-58} {st.Count,7:N0}  >{Long.TotalMilliseconds:0}ms {st.Over,5:N0}  mean {TimeSpan.FromTicks(st.TotalTicks / Math.Max(1, st.Count)).TotalMilliseconds,6:0.00} ms  max {TimeSpan.FromTicks(st.MaxTicks).TotalMilliseconds,7:0.0} ms  total {TimeSpan.FromTicks(st.TotalTicks).TotalSeconds,6:0.00} s");
        _stats.Clear();
    }

    /// <summary>The Parley type and method on the stack that ran the statement (Microsoft.Data.Sqlite runs synchronously,
    /// so the caller's async frames are still on the stack when EF Core reports it).</summary>
    public static string Caller()
    {
        var frames = new StackTrace(2, false).GetFrames();
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type is null) continue;
            var name = method!.Name;
            // An async method runs as MoveNext of a nested "<Name>d__N" type; a lambda as "<Name>b__N" of a nested class.
            while (type.DeclaringType is { } outer && type.Name.StartsWith('<'))
            {
                if (type.Name.IndexOf('>') is > 1 and var end && name == "MoveNext") name = type.Name[1..end];
                type = outer;
            }
            var ns = type.Namespace ?? "";
            // Not the context's own SaveChanges, nor the batch command helpers: whoever called them.
            if (!ns.StartsWith("Parley", StringComparison.Ordinal) || ns.StartsWith("Parley.Bench", StringComparison.Ordinal)
                || typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(type) || type.Name.StartsWith("BatchCommand", StringComparison.Ordinal)) continue;
            return $"{type.Name}.{name}";
        }
        return "(outside Parley)";
    }
}
