namespace Parley.Routing;

public enum AgentPresence { Online, Away, Offline }

public enum Fairness { RoundRobin, LeastBusy }

/// <summary>One person who could take a conversation, as the router sees them right now.</summary>
/// <param name="OpenConversations">How many open conversations they own now.</param>
/// <param name="Capacity">How many they can hold at once.</param>
/// <param name="LastAssignedAt">When they were last given one (round robin picks the longest ago).</param>
public sealed record Candidate(Guid UserId, AgentPresence Presence, int OpenConversations, int Capacity,
    IReadOnlySet<string> Skills, DateTimeOffset? LastAssignedAt);

/// <param name="RequiredSkills">Skills the conversation needs (a language, "billing").</param>
/// <param name="LastHelpedBy">Who last helped this customer, for sticky assignment.</param>
public sealed record AssignmentRequest(IReadOnlySet<string> RequiredSkills, Guid? LastHelpedBy);

public sealed record AssignmentRules(Fairness Fairness = Fairness.LeastBusy, bool Sticky = true);

/// <summary>The choice and why, so "why did I get this?" has an answer.</summary>
public sealed record AssignmentDecision(Guid? UserId, string Reason);

/// <summary>Picks who gets a conversation: only people online, with room under their capacity and
/// every required skill; the customer's previous helper first when sticky; then fairly.</summary>
public static class ChooseAssignee
{
    public static AssignmentDecision For(AssignmentRequest request, IEnumerable<Candidate> candidates, AssignmentRules rules)
    {
        var all = candidates.ToList();
        var online = all.Where(c => c.Presence == AgentPresence.Online).ToList();
        if (online.Count == 0) return new(null, "Nobody in the team is online; the conversation waits in the queue.");

        var skilled = online.Where(c => request.RequiredSkills.All(c.Skills.Contains)).ToList();
        if (skilled.Count == 0)
            return new(null, $"Nobody online has the skills {string.Join(", ", request.RequiredSkills.Order())}; the conversation waits in the queue.");

        var withRoom = skilled.Where(c => c.OpenConversations < c.Capacity).ToList();
        if (withRoom.Count == 0) return new(null, "Everyone suitable is at capacity; the conversation waits in the queue.");

        if (rules.Sticky && request.LastHelpedBy is { } previous && withRoom.FirstOrDefault(c => c.UserId == previous) is { } same)
            return new(same.UserId, "They helped this customer last time.");

        var chosen = rules.Fairness switch
        {
            // Never-assigned people first, then the one who waited longest; ties by id keep it deterministic.
            Fairness.RoundRobin => withRoom.OrderBy(c => c.LastAssignedAt ?? DateTimeOffset.MinValue).ThenBy(c => c.UserId).First(),
            _ => withRoom.OrderBy(c => (double)c.OpenConversations / c.Capacity).ThenBy(c => c.OpenConversations)
                .ThenBy(c => c.LastAssignedAt ?? DateTimeOffset.MinValue).ThenBy(c => c.UserId).First(),
        };
        return new(chosen.UserId, rules.Fairness == Fairness.RoundRobin
            ? "Next in turn among those online with room."
            : $"Least busy among those online with room ({chosen.OpenConversations} of {chosen.Capacity}).");
    }
}
