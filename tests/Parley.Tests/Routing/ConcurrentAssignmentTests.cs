using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Routing;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Routing;

/// <summary>Several nodes (here: independent assignment passes, each with its own connection) and people
/// taking conversations by hand, all at once: no conversation is assigned twice and nobody the router
/// serves goes over capacity.</summary>
public sealed class ConcurrentAssignmentTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task No_conversation_is_assigned_twice_when_nodes_and_people_assign_at_once(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.RuleAsync(care, "Everything", new { });
        await w.QueueAsync(care, new { autoAssign = false, fairness = "leastBusy", sticky = false });
        var agents = new List<Guid>();
        foreach (var name in new[] { "Ana", "Bo", "Cy", "Di" })
        {
            var id = await w.PersonAsync(name, $"{name.ToLowerInvariant()}@example.com", "agent", care);
            await w.AgentAsync(id, "online", capacity: 6);
            agents.Add(id);
        }
        // Someone outside the queue grabbing conversations by hand, racing the router.
        await w.PersonAsync("Grabber", "grab@example.com", "agent", care);
        var grabber = await w.SignInAsync("grab@example.com");
        var conversations = await w.CustomersTweetAsync(40);
        await parley.SettleAsync();
        Assert.All((await parley.OwnersAsync(conversations)).Values, Assert.Null);

        // Switch automatic assignment on behind the background worker's back, then race eight "nodes"
        // (and the background worker, and the grabber) for the same forty conversations.
        await parley.WithDbAsync(db => db.QueueSettings.Where(q => q.TeamId == care).ExecuteUpdateAsync(s => s.SetProperty(q => q.AutoAssign, true)));
        using var start = new SemaphoreSlim(0);
        var nodes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            await using var scope = parley.Scope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            return await new AutoAssignment(new Assigner(clock), clock).AssignWaitingAsync(db, CancellationToken.None);
        })).ToList();
        var grabs = conversations.Where((_, i) => i % 5 == 0).Select(c => Task.Run(async () =>
        {
            await start.WaitAsync();
            return (await grabber.PostAsync($"/api/v1/conversations/{c}/take", new { })).StatusCode;
        })).ToList();
        start.Release(nodes.Count + grabs.Count);
        var routerCounts = await Task.WhenAll(nodes);
        var grabbed = await Task.WhenAll(grabs);
        await parley.SettleAsync();

        Assert.All(grabbed, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, s.ToString()));
        var assigned = await parley.EventsOfTypeAsync("conversation.assigned");
        var perConversation = assigned.GroupBy(e => e.GetProperty("data").GetProperty("conversationId").GetGuid()).ToList();
        // Each conversation was given away once, from nobody: no second assignment overwrote the first.
        Assert.All(perConversation, g => Assert.Single(g));
        Assert.All(assigned, e => Assert.Equal(System.Text.Json.JsonValueKind.Null, e.GetProperty("data").GetProperty("previousAssigneeId").ValueKind));
        var owners = await parley.OwnersAsync(conversations);
        Assert.Equal(owners.Count(o => o.Value is not null), perConversation.Count);
        foreach (var g in perConversation)
            Assert.Equal(owners[g.Key], g.Single().GetProperty("data").GetProperty("assigneeId").GetGuid());
        // Nobody the router serves went over capacity, and together they took all they could hold.
        var load = owners.Values.Where(o => o is not null && agents.Contains(o.Value)).GroupBy(o => o!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(load.Values, n => Assert.InRange(n, 0, 6));
        Assert.Equal(24, load.Values.Sum());
        Assert.Equal(grabbed.Count(s => s == HttpStatusCode.OK), owners.Values.Count(o => o is not null && !agents.Contains(o.Value)));
        Assert.True(routerCounts.Sum() <= 24);
    }
}
