namespace Parley.Tests.Infrastructure;

/// <summary>A clock that moves only when the test says so. Timers it creates still run on real time;
/// tests call the sweeps' RunOnceAsync themselves.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
