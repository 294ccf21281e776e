using System.Diagnostics;
using System.Globalization;

namespace Parley.FanoutBench;

/// <summary>What a process has used so far, read inside it: memory, CPU time, the GC's work and the thread pool's
/// state. CPU time is what the machine's other users do not distort, so the benchmark divides it by deliveries.</summary>
/// <param name="GcHeap">Bytes in use by managed objects (GC.GetTotalMemory).</param>
/// <param name="GcHeapSize">The GC heap's size after the last collection, fragmentation included.</param>
/// <param name="ThreadPoolQueue">Work items waiting for a thread: a lasting queue with a growing thread count is
/// starvation (blocking calls holding the pool's threads), not a lack of CPU.</param>
public sealed record ProcessSample(DateTimeOffset At, long WorkingSet, long GcHeap, long GcHeapSize, double CpuMs, double GcPauseMs,
    long Allocated, int Gen0, int Gen1, int Gen2, int Threads, long ThreadPoolQueue)
{
    public static ProcessSample Now()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessSample(DateTimeOffset.UtcNow, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false),
            GC.GetGCMemoryInfo().HeapSizeBytes, self.TotalProcessorTime.TotalMilliseconds, GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
    }

    /// <summary>The machine's load average over the last minute, five and fifteen (Linux), to print beside any time.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    public static double LoadAverage1() =>
        double.TryParse(LoadAverage().Split(' ')[0], CultureInfo.InvariantCulture, out var l) ? l : double.NaN;
}
