using System.Collections.Concurrent;

namespace Parley.Ingest;

/// <summary>Hands the parse done at acknowledgement (to refuse malformed bodies with a 400) to the
/// inbound processor, so a delivery is parsed once rather than twice. Only an in-memory shortcut:
/// a delivery the processor does not find here (after a restart, a replay, or past the limit) is
/// parsed again from its stored bytes, with the same result.</summary>
public sealed class ParsedDeliveries
{
    /// <summary>At about a kilobyte each, this bounds the memory a processing backlog can take.</summary>
    private const int Limit = 20_000;

    private readonly ConcurrentDictionary<long, ParsedDelivery> _byId = new();
    // ConcurrentDictionary.Count takes every lock of the table: counted here instead.
    private int _count;

    public void Remember(long id, ParsedDelivery parsed)
    {
        // Past the limit (a long backlog, or deliveries another node processed) start over rather than grow.
        if (Volatile.Read(ref _count) >= Limit) Clear();
        if (_byId.TryAdd(id, parsed)) Interlocked.Increment(ref _count);
    }

    /// <summary>The parse of <paramref name="id"/>, if still held; it stays held until <see cref="Forget"/>, so a
    /// batch that must be prepared again (a conflict with an agent's change) does not parse again.</summary>
    public ParsedDelivery? Find(long id) => _byId.GetValueOrDefault(id);

    /// <summary>Drops the parse of a delivery that has been processed.</summary>
    public void Forget(long id)
    {
        if (_byId.TryRemove(id, out _)) Interlocked.Decrement(ref _count);
    }

    public int Count => Volatile.Read(ref _count);

    public void Clear()
    {
        _byId.Clear();
        Volatile.Write(ref _count, 0);
    }
}
