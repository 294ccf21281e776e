namespace Parley.Simulator;

/// <summary>Replaces the console lifetime: the simulator often runs inside another process (Parley's demo,
/// tests), whose Ctrl+C and SIGTERM handling it must not take over. Its owner stops it by disposing it.</summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
