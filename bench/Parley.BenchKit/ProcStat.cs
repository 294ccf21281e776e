using System.Globalization;

namespace Parley.BenchKit;

/// <summary>Reads Linux's <c>/proc/&lt;pid&gt;/stat</c> lines.</summary>
public static class ProcStat
{
    /// <summary>The parent's pid and the CPU time (user + system) of one <c>stat</c> line.</summary>
    public static (int Parent, TimeSpan Cpu) Read(string stat)
    {
        // Fields after the command name (which may hold spaces, so it is skipped by its closing parenthesis):
        // the parent is the 4th field of the line, utime the 14th, stime the 15th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (int.Parse(fields[1], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(ticks / 100.0));
    }

    public static TimeSpan CpuTime(string stat) => Read(stat).Cpu;
}
