using Parley.Platform.Events;

namespace Parley.Routing;

/// <summary>Who has a workspace page connected to this node (one live connection per page). The routing
/// worker writes it to <see cref="AgentProfile.LastSeenAt"/> every <see cref="ReportEvery"/>, so every node
/// agrees on who is present; a person whose last page closes is reported gone at once.</summary>
public sealed class AgentConnections(EventSignal signal)
{
    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _open = [];
    private readonly HashSet<Guid> _left = [];
    private bool _changed;

    public void Connected(Guid userId)
    {
        lock (_gate)
        {
            _open[userId] = _open.GetValueOrDefault(userId) + 1;
            _left.Remove(userId);
            _changed = true;
        }
        signal.Pulse();
    }

    public void Disconnected(Guid userId)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(userId, out var n)) return;
            if (n > 1) _open[userId] = n - 1;
            else
            {
                _open.Remove(userId);
                _left.Add(userId);
                _changed = true;
            }
        }
        signal.Pulse();
    }

    public bool IsConnected(Guid userId)
    {
        lock (_gate) return _open.ContainsKey(userId);
    }

    /// <summary>Who is connected and who left since the last report; <paramref name="changed"/> says whether anyone came or went.</summary>
    public (IReadOnlyList<Guid> Present, IReadOnlyList<Guid> Left) TakeReport(out bool changed)
    {
        lock (_gate)
        {
            changed = _changed;
            _changed = false;
            var report = (_open.Keys.ToList(), _left.ToList());
            _left.Clear();
            return report;
        }
    }
}
