using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Routing;

/// <summary>The people who can take a queue's conversations, as the router sees them now: the team's
/// members and the queue's responders, with presence, active load, capacity, skills and when each
/// last got one from this queue. Kept up to date in memory while one pass hands out several.</summary>
public sealed class CandidatePool
{
    private readonly Dictionary<Guid, Candidate> _byId;

    private CandidatePool(Dictionary<Guid, Candidate> byId) => _byId = byId;

    public IEnumerable<Candidate> Candidates => _byId.Values;

    public static async Task<CandidatePool> LoadAsync(ParleyDb db, Guid teamId, DateTimeOffset now, CancellationToken ct,
        IReadOnlySet<Guid>? exclude = null)
    {
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId).Select(m => m.UserId)
            .Union(db.QueueResponders.AsNoTracking().Where(r => r.TeamId == teamId).Select(r => r.UserId)).ToListAsync(ct);
        // Auditors read and never answer: membership binds them to a brand, not to its queue.
        var ids = await db.Users.AsNoTracking().Where(u => members.Contains(u.Id) && u.DisabledAt == null && u.Role != Platform.People.UserRole.Auditor)
            .Select(u => u.Id).ToArrayAsync(ct);
        if (exclude is not null) ids = [.. ids.Where(id => !exclude.Contains(id))];
        await Assigner.EnsureProfilesAsync(db, ids, ct);
        var profiles = await db.AgentProfiles.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
        var load = await OpenLoadAsync(db, ids, ct);
        var last = await db.QueueAssignees.AsNoTracking().Where(q => q.TeamId == teamId && ids.Contains(q.UserId))
            .ToDictionaryAsync(q => q.UserId, q => q.LastAssignedAt, ct);
        return new CandidatePool(ids.Where(profiles.ContainsKey).ToDictionary(id => id, id =>
        {
            var p = profiles[id];
            return new Candidate(id, p.EffectivePresence(now), load.GetValueOrDefault(id), p.Capacity, p.SkillSet,
                last.TryGetValue(id, out var at) ? at : null);
        }));
    }

    /// <summary>Active conversations per person (see <see cref="Assigner.Active"/>), one grouped query.</summary>
    public static async Task<Dictionary<Guid, int>> OpenLoadAsync(ParleyDb db, Guid[] userIds, CancellationToken ct) =>
        await db.Conversations.AsNoTracking()
            .Where(c => c.AssigneeId != null && userIds.Contains(c.AssigneeId.Value) && c.Status == Conversations.ConversationStatus.Open
                && (c.State == Conversations.ConversationState.New || c.State == Conversations.ConversationState.Acknowledged))
            .GroupBy(c => c.AssigneeId!.Value).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    /// <summary>Takes the loads and capacities counted under the people's locks (see <see cref="BatchAssignment"/>).</summary>
    public void Recount(IReadOnlyDictionary<Guid, int> load, IReadOnlyDictionary<Guid, int> capacity)
    {
        foreach (var id in _byId.Keys.ToList())
        {
            var c = _byId[id];
            _byId[id] = c with { OpenConversations = load.GetValueOrDefault(id), Capacity = capacity.GetValueOrDefault(id, c.Capacity) };
        }
    }

    public void Took(Guid userId, DateTimeOffset at)
    {
        if (_byId.TryGetValue(userId, out var c)) _byId[userId] = c with { OpenConversations = c.OpenConversations + 1, LastAssignedAt = at };
    }

    /// <summary>The database said they are full (another node gave them one meanwhile).</summary>
    public void Full(Guid userId)
    {
        if (_byId.TryGetValue(userId, out var c)) _byId[userId] = c with { OpenConversations = c.Capacity };
    }
}
