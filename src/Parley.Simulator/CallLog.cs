namespace Parley.Simulator;

/// <summary>The calls Parley made, in arrival order; readers get a copy so they can enumerate freely.</summary>
internal sealed class CallLog
{
    private readonly Lock gate = new();
    private readonly List<RecordedCall> calls = [];

    public void Add(RecordedCall call)
    {
        lock (gate) calls.Add(call);
    }

    public IReadOnlyList<RecordedCall> Snapshot()
    {
        lock (gate) return [.. calls];
    }

    public void Clear()
    {
        lock (gate) calls.Clear();
    }
}
