namespace Parley.Platform.Events;

/// <summary>Wakes readers of the event log on this node as soon as something commits. Readers also
/// poll, so events written by other nodes arrive too, a little later.</summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = NewSource();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Completes at the next pulse. A reader takes it <em>before</em> it reads the log and waits on it
    /// when it found nothing, so a commit that lands between its read and its wait still wakes it.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Completes when <paramref name="next"/> (taken from <see cref="Next"/>) does or after <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Task next, TimeSpan timeout, CancellationToken ct)
    {
        try { await next.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }

    /// <summary>Completes at the next pulse or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await Volatile.Read(ref _next).Task.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }
}
