using Microsoft.Extensions.Options;

namespace Parley.Platform.Audit;

/// <summary>Writes each ended window's suppressed refusals (<see cref="RefusalThrottle"/>) even when no further
/// refusal comes to trigger it, so a burst that stops is still in the trail within a few seconds of its window.</summary>
public sealed class RefusalFlush(RefusalThrottle throttle, AuditLog log, IOptionsMonitor<AuditOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var every = TimeSpan.FromTicks(Math.Clamp(options.CurrentValue.Window.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));
            try { await Task.Delay(every, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
            if (throttle.TakeEnded() is { } ended) await log.WriteSuppressedAsync(ended);
        }
    }
}
