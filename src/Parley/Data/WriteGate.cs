namespace Parley.Data;

/// <summary>Takes turns between this process's busy writers on SQLite, which allows one writer at a
/// time. Without it the ingest writer and the inbound processor meet on SQLite's lock, and
/// Microsoft.Data.Sqlite answers a busy database by sleeping (150 ms a try) on a thread-pool thread:
/// acknowledgements then wait for hundreds of milliseconds behind a sleeping thread rather than a
/// few behind a commit. Waiters are served in arrival order, so a writer that asks while the
/// processor holds the gate goes next. On PostgreSQL writers do not exclude each other and the gate
/// is open. Other writers (the API, the sweeps) still rely on SQLite's own busy handling; they
/// write rarely.</summary>
public sealed class WriteGate(bool exclusive) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>True when writers must take turns (SQLite).</summary>
    public bool Exclusive { get; } = exclusive;

    /// <summary>Someone is waiting for the gate: a long writer should end its turn soon.</summary>
    public bool Contended => Exclusive && _turn.CurrentCount == 0 && Volatile.Read(ref _waiting) > 0;

    private int _waiting;

    /// <summary>Waits for this writer's turn; dispose the result to end it.</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken ct)
    {
        if (!Exclusive) return default;
        Interlocked.Increment(ref _waiting);
        try { await _turn.WaitAsync(ct); }
        finally { Interlocked.Decrement(ref _waiting); }
        return new Turn(_turn);
    }

    /// <summary>Waits for this writer's turn on the calling thread, for writers on threads of their own (the ingest
    /// writer, the journal's mover), in the same queue as <see cref="EnterAsync"/> so arrival order holds.</summary>
    public Turn Enter()
    {
        var turn = EnterAsync(CancellationToken.None);
        return turn.IsCompletedSuccessfully ? turn.Result : turn.AsTask().GetAwaiter().GetResult();
    }

    public void Dispose() => _turn.Dispose();

    public readonly struct Turn(SemaphoreSlim? turn) : IDisposable
    {
        public void Dispose() => turn?.Release();
    }
}
