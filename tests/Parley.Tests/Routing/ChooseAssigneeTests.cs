using Parley.Routing;

namespace Parley.Tests.Routing;

public sealed class ChooseAssigneeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly AssignmentRequest Anything = new(new HashSet<string>(), null);

    private static Candidate Agent(int n, AgentPresence presence = AgentPresence.Online, int open = 0, int capacity = 5,
        DateTimeOffset? last = null, params string[] skills) =>
        new(new Guid(n, 0, 0, new byte[8]), presence, open, capacity, skills.ToHashSet(), last);

    [Fact]
    public void Nobody_away_offline_or_at_capacity_is_given_a_conversation()
    {
        var decision = ChooseAssignee.For(Anything,
            [Agent(1, AgentPresence.Away), Agent(2, AgentPresence.Offline), Agent(3, open: 5, capacity: 5)], new AssignmentRules());
        Assert.Null(decision.UserId);
        Assert.Contains("capacity", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_people_with_every_required_skill_are_considered()
    {
        var request = new AssignmentRequest(new HashSet<string> { "spanish", "billing" }, null);
        var decision = ChooseAssignee.For(request,
            [Agent(1, skills: "spanish"), Agent(2, skills: ["spanish", "billing"]), Agent(3, skills: "billing")], new AssignmentRules());
        Assert.Equal(Agent(2).UserId, decision.UserId);
    }

    [Fact]
    public void A_sticky_assignment_returns_the_customer_to_who_helped_them_if_they_have_room()
    {
        var previous = Agent(2, open: 3);
        var withRoom = ChooseAssignee.For(new AssignmentRequest(new HashSet<string>(), previous.UserId), [Agent(1), previous], new AssignmentRules());
        var full = ChooseAssignee.For(new AssignmentRequest(new HashSet<string>(), previous.UserId), [Agent(1), previous with { OpenConversations = 5 }], new AssignmentRules());

        Assert.Equal(previous.UserId, withRoom.UserId);
        Assert.Equal(Agent(1).UserId, full.UserId);
    }

    [Fact]
    public void Least_busy_fairness_evens_out_load_over_many_assignments()
    {
        var team = Enumerable.Range(1, 4).Select(n => Agent(n, capacity: 100)).ToList();
        for (var i = 0; i < 400; i++)
        {
            var chosen = ChooseAssignee.For(Anything, team, new AssignmentRules(Fairness.LeastBusy, Sticky: false)).UserId;
            var index = team.FindIndex(c => c.UserId == chosen);
            team[index] = team[index] with { OpenConversations = team[index].OpenConversations + 1, LastAssignedAt = T0.AddSeconds(i) };
        }
        Assert.All(team, c => Assert.Equal(100, c.OpenConversations));
    }

    [Fact]
    public void Round_robin_takes_turns_regardless_of_load()
    {
        var team = new List<Candidate> { Agent(1, open: 4), Agent(2, open: 0), Agent(3, open: 2) };
        var order = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var chosen = ChooseAssignee.For(Anything, team, new AssignmentRules(Fairness.RoundRobin, Sticky: false)).UserId!.Value;
            order.Add(chosen);
            var index = team.FindIndex(c => c.UserId == chosen);
            team[index] = team[index] with { LastAssignedAt = T0.AddMinutes(i) };
        }
        Assert.Equal(order.Take(3), order.Skip(3));
        Assert.Equal(3, order.Take(3).Distinct().Count());
    }

    [Fact]
    public void A_presence_change_takes_effect_at_the_next_choice()
    {
        var team = new List<Candidate> { Agent(1, open: 0), Agent(2, open: 3) };
        Assert.Equal(Agent(1).UserId, ChooseAssignee.For(Anything, team, new AssignmentRules()).UserId);
        team[0] = team[0] with { Presence = AgentPresence.Away };
        Assert.Equal(Agent(2).UserId, ChooseAssignee.For(Anything, team, new AssignmentRules()).UserId);
    }
}
