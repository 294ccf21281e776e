namespace Parley.Platform;

/// <summary>Wakes one background worker when there is work, so it need not poll fast. A pulse while
/// the worker is busy is remembered until its next wait.</summary>
public class Wakeup
{
    private TaskCompletionSource _pulsed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Volatile.Read(ref _pulsed).TrySetResult();

    /// <summary>Returns at the next pulse (or at once if one came since the last wait), or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var current = Volatile.Read(ref _pulsed);
        try { await current.Task.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
        // Reset before the caller looks for work: a pulse after this point wakes the next wait.
        if (current.Task.IsCompleted)
            Interlocked.CompareExchange(ref _pulsed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
    }
}
