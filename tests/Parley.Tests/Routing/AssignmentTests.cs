using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Routing;

/// <summary>Automatic assignment: capacity, presence, skills, fairness, stickiness and responders, and
/// ownership when a colleague replies.</summary>
public sealed class AssignmentTests
{
    private static async Task<(Workspace W, Guid Team)> QueueAsync(TestParley parley, object settings, string team = "Care")
    {
        var w = await Workspace.CreateAsync(parley);
        var id = await w.TeamAsync(team);
        await w.RuleAsync(id, "Everything", new { });
        await w.QueueAsync(id, settings);
        return (w, id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Capacity_and_presence_decide_who_gets_the_waiting_conversations(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var (w, care) = await QueueAsync(parley, new { autoAssign = true, fairness = "leastBusy", sticky = false });
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var bo = await w.PersonAsync("Bo", "bo@example.com", "agent", care);
        await w.AgentAsync(ana, "online", capacity: 2);
        await w.AgentAsync(bo, "away", capacity: 1);

        var conversations = await w.CustomersTweetAsync(4);
        await parley.SettleAsync();
        var owners = await parley.OwnersAsync(conversations);
        Assert.Equal(2, owners.Values.Count(o => o == ana));
        Assert.Equal(2, owners.Values.Count(o => o is null));

        // Bo comes back: one more fits his capacity; the last keeps waiting.
        await w.AgentAsync(bo, "online");
        await parley.SettleAsync();
        owners = await parley.OwnersAsync(conversations);
        Assert.Equal(1, owners.Values.Count(o => o == bo));
        var stillWaiting = Assert.Single(owners, o => o.Value is null).Key;

        // Ana resolves one: room again, and the oldest waiting conversation is hers.
        var done = owners.First(o => o.Value == ana).Key;
        Assert.True((await parley.Client.PostAsync($"/api/v1/conversations/{done}/resolve", null)).IsSuccessStatusCode);
        await parley.SettleAsync();
        Assert.Equal(ana, (await parley.OwnersAsync([stillWaiting]))[stillWaiting]);

        // Ana goes away: nothing new for her, nor for Bo at capacity.
        await w.AgentAsync(ana, "away");
        var later = await w.CustomersTweetAsync(1);
        await parley.SettleAsync();
        Assert.Null((await parley.OwnersAsync(later))[later[0]]);

        var assigned = await parley.EventsOfTypeAsync("conversation.assigned");
        Assert.Equal(4, assigned.Count);
        Assert.All(assigned, e => Assert.Equal("router", e.GetProperty("data").GetProperty("by").GetString()));
        Assert.Contains(assigned, e => e.GetProperty("data").GetProperty("reason").GetString()!.StartsWith("Least busy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Closing_the_last_workspace_page_takes_an_agent_out_of_assignment()
    {
        await using var parley = await TestParley.StartAsync();
        var (w, care) = await QueueAsync(parley, new { autoAssign = true });
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var session = await w.SignInAsync("ana@example.com");
        async Task<string> PresenceAsync() => (await session.GetJsonAsync("/api/v1/agents/me")).GetProperty("presence").GetString()!;

        var live = await session.GetAsync("/api/v1/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await parley.RouteNowAsync();
        Assert.Equal("online", await PresenceAsync());
        var first = await w.CustomersTweetAsync(1);
        await parley.SettleAsync();
        Assert.Equal(ana, (await parley.OwnersAsync(first))[first[0]]);

        live.Dispose();
        await TestParley.EventuallyAsync(async () => await PresenceAsync() == "offline" ? "" : null, "the closed page to count");
        var second = await w.CustomersTweetAsync(1);
        await parley.SettleAsync();
        Assert.Null((await parley.OwnersAsync(second))[second[0]]);
        // Her chosen status is still online: she did not set herself away, her page closed.
        Assert.Equal("online", (await session.GetJsonAsync("/api/v1/agents/me")).GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Round_robin_shares_many_conversations_evenly_and_in_turn(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var (w, care) = await QueueAsync(parley, new { autoAssign = true, fairness = "roundRobin", sticky = false });
        var agents = new List<Guid>();
        foreach (var name in new[] { "Ana", "Bo", "Cy" })
        {
            var id = await w.PersonAsync(name, $"{name.ToLowerInvariant()}@example.com", "agent", care);
            await w.AgentAsync(id, "online", capacity: 100);
            agents.Add(id);
        }

        var conversations = await w.CustomersTweetAsync(30);
        await parley.SettleAsync();

        var owners = await parley.OwnersAsync(conversations);
        Assert.All(agents, a => Assert.Equal(10, owners.Values.Count(o => o == a)));
        // In turn: oldest first, each three in a row go to three different people.
        var order = await parley.WithDbAsync(db => db.Conversations.Where(c => c.TeamId == care)
            .OrderBy(c => c.AssignedAt).ThenBy(c => c.CreatedAt).Select(c => c.AssigneeId!.Value).ToListAsync());
        Assert.All(order.Chunk(3), chunk => Assert.Equal(3, chunk.Distinct().Count()));
    }

    [Fact]
    public async Task Least_busy_evens_out_the_load_over_many_assignments()
    {
        await using var parley = await TestParley.StartAsync();
        var (w, care) = await QueueAsync(parley, new { autoAssign = false, fairness = "leastBusy", sticky = false });
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var bo = await w.PersonAsync("Bo", "bo@example.com", "agent", care);
        var cy = await w.PersonAsync("Cy", "cy@example.com", "agent", care);
        foreach (var a in new[] { ana, bo, cy }) await w.AgentAsync(a, "online", capacity: 20);
        // Ana already holds six and Cy three, taken by hand.
        var earlier = await w.CustomersTweetAsync(9);
        await parley.SettleAsync();
        foreach (var (c, i) in earlier.Select((c, i) => (c, i))) await w.AssignAsync(c, care, i < 6 ? ana : cy);

        await w.QueueAsync(care, new { autoAssign = true });
        var fresh = await w.CustomersTweetAsync(21);
        await parley.SettleAsync();

        var load = (await parley.OwnersAsync(earlier.Concat(fresh))).Values.GroupBy(o => o).ToDictionary(g => g.Key!.Value, g => g.Count());
        Assert.Equal(10, load[ana]);
        Assert.Equal(10, load[bo]);
        Assert.Equal(10, load[cy]);
    }

    [Fact]
    public async Task A_returning_customer_goes_to_the_agent_who_helped_them_when_the_queue_is_sticky()
    {
        await using var parley = await TestParley.StartAsync();
        var (w, care) = await QueueAsync(parley, new { autoAssign = true, fairness = "roundRobin", sticky = true });
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var bo = await w.PersonAsync("Bo", "bo@example.com", "agent", care);
        await w.AgentAsync(ana, "online", capacity: 10);
        await w.AgentAsync(bo, "online", capacity: 10);

        var first = await w.CustomerTweetsAsync("my bag is lost", "77", "dana");
        await parley.SettleAsync();
        var helper = (await parley.OwnersAsync([first]))[first]!.Value;
        await parley.Client.PostAsync($"/api/v1/conversations/{first}/resolve", null);
        // Others come in meanwhile, so round robin alone would not pick the same person twice in a row.
        await w.CustomersTweetAsync(3);
        await parley.SettleAsync();

        var again = await w.CustomerTweetsAsync("it is me again, still no bag", "77", "dana");
        await parley.SettleAsync();

        Assert.NotEqual(first, again);
        Assert.Equal(helper, (await parley.OwnersAsync([again]))[again]);
        var reason = (await parley.EventsOfTypeAsync("conversation.assigned")).Last(e => e.GetProperty("data").GetProperty("conversationId").GetGuid() == again);
        Assert.Equal("They helped this customer last time.", reason.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_domain_responder_receives_only_that_domains_conversations_and_skills_are_required()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        await w.RuleAsync(billing, "Money", new { keywords = new[] { "invoice" } }, order: 1);
        await w.RuleAsync(care, "Rest", new { }, order: 2);
        var maria = await w.PersonAsync("Maria", "maria@example.com", "agent", care);
        var fin = await w.PersonAsync("Fin from Finance", "fin@example.com", "agent");
        var spanishOnly = await w.PersonAsync("Sol", "sol@example.com", "agent", care);
        await w.QueueAsync(care, new { autoAssign = true, requiredSkills = new[] { "English" } });
        await w.QueueAsync(billing, new { autoAssign = true, responderIds = new[] { fin } });
        await w.AgentAsync(maria, "online", capacity: 1, "english");
        await w.AgentAsync(fin, "online", capacity: 10);
        await w.AgentAsync(spanishOnly, "online", capacity: 10, "es");

        var general = await w.CustomersTweetAsync(3, "my app will not start");
        var money = await w.CustomersTweetAsync(2, "wrong amount on my invoice");
        await parley.SettleAsync();

        var owners = await parley.OwnersAsync(general.Concat(money));
        Assert.All(money, m => Assert.Equal(fin, owners[m]));
        // Maria takes one (her capacity); Fin has room but is not in Care; Sol lacks the skill.
        Assert.Equal(1, general.Count(g => owners[g] == maria));
        Assert.Equal(2, general.Count(g => owners[g] is null));

        // Fin sees what was given to him and nothing else.
        var session = await w.SignInAsync("fin@example.com");
        var inbox = (await session.GetJsonAsync("/api/v1/inbox?limit=200")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToHashSet();
        Assert.Equal(money.ToHashSet(), inbox);
        var queue = await parley.GetJsonAsync($"/api/v1/queues/{billing}");
        Assert.Equal(fin, Assert.Single(queue.GetProperty("responderIds").EnumerateArray()).GetGuid());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Replying_to_a_colleagues_conversation_is_refused_unless_the_reply_takes_it_over(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var sam = await w.PersonAsync("Sam Carter", "sam@example.com", "agent", care);
        var conversation = await w.CustomerTweetsAsync("is anyone there", "1", "ana");
        await w.AssignAsync(conversation, care, maria);
        var samSession = await w.SignInAsync("sam@example.com");

        var refused = await samSession.PostAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Hi, Sam here", visibility = "public" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Maria Lopez", problem.GetProperty("ownerName").GetString());
        Assert.Equal(maria, problem.GetProperty("ownerId").GetGuid());
        Assert.Equal(0, await parley.WithDbAsync(db => db.Messages.CountAsync(m => m.ConversationId == conversation && m.Direction == global::Parley.Conversations.MessageDirection.Outbound)));

        var taken = await samSession.PostAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Hi, Sam here", visibility = "public", takeOver = true });
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        Assert.Equal(sam, (await parley.OwnersAsync([conversation]))[conversation]);
        var change = (await parley.EventsOfTypeAsync("conversation.assigned")).Last().GetProperty("data");
        Assert.Equal(maria, change.GetProperty("previousAssigneeId").GetGuid());
        Assert.Equal(sam, change.GetProperty("assigneeId").GetGuid());
        Assert.Equal("Sam Carter", change.GetProperty("by").GetString());

        // Now Maria is the one asked to take it over; an app with an API key replies without owning.
        var mariaSession = await w.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.Conflict, (await mariaSession.PostAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Me again", visibility = "public" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Bot here", visibility = "public" })).StatusCode);
        Assert.Equal(sam, (await parley.OwnersAsync([conversation]))[conversation]);
    }

    [Fact]
    public async Task Taking_a_conversation_claims_it_once_and_a_colleagues_only_with_take_over()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var sam = await w.PersonAsync("Sam Carter", "sam@example.com", "agent", care);
        var conversation = await w.CustomerTweetsAsync("help", "1", "ana");
        var mariaSession = await w.SignInAsync("maria@example.com");
        var samSession = await w.SignInAsync("sam@example.com");

        var mine = await mariaSession.PostAsync($"/api/v1/conversations/{conversation}/take", new { });
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(maria, (await mine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assigneeId").GetGuid());
        Assert.Equal(HttpStatusCode.Conflict, (await samSession.PostAsync($"/api/v1/conversations/{conversation}/take", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await samSession.PostAsync($"/api/v1/conversations/{conversation}/take", new { takeOver = true })).StatusCode);
        Assert.Equal(sam, (await parley.OwnersAsync([conversation]))[conversation]);
        Assert.Equal(2, (await parley.EventsOfTypeAsync("conversation.assigned")).Count);
    }
}
