using Microsoft.Extensions.DependencyInjection;
using Parley.Data;

namespace Parley.Tests.Infrastructure;

/// <summary>On SQLite the writers webhook acknowledgements wait behind take turns at the <see cref="WriteGate"/>
/// (docs/adr/0040, 0042). This holds the gate as another writer would, starts the work, and checks that it does not
/// finish while the gate is held; then lets go and returns what the work returns.</summary>
public static class WriteGateHold
{
    public static async Task<T> FinishesOnlyAfterTheGateAsync<T>(TestParley parley, Func<Task<T>> work)
    {
        var gate = parley.App.Services.GetRequiredService<WriteGate>();
        Assert.True(gate.Exclusive);
        Task<T> running;
        using (await gate.EnterAsync(CancellationToken.None))
        {
            running = Task.Run(work);
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.False(running.IsCompleted, "the work finished while another writer held the write gate");
        }
        return await running.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
