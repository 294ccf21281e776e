using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

/// <summary>Who sees which conversation: agents their teams' and their brand's unrouted ones (and any
/// assigned to them), leads their whole brand, admins and admin keys everything.</summary>
public sealed class VisibilityTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_role_sees_exactly_its_conversations_in_every_endpoint(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        await w.PersonAsync("Ada Admin", "ada@example.com", "admin");
        var unrouted = await w.CustomerTweetsAsync("unrouted", "1", "ana");
        var careOne = await w.CustomerTweetsAsync("for care", "2", "ben");
        var billingOne = await w.CustomerTweetsAsync("for billing", "3", "cleo");
        var billingButMine = await w.CustomerTweetsAsync("billing, assigned to maria", "4", "dev");
        await w.AssignAsync(careOne, care);
        await w.AssignAsync(billingOne, billing);
        await w.AssignAsync(billingButMine, null, maria);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var elsewhere = await w.CustomerTweetsAsync("other brand", "5", "eve", channel: otherChannel);

        async Task<HashSet<Guid>> Listed(Session s) =>
            (await s.GetJsonAsync("/api/v1/conversations?limit=200")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToHashSet();
        async Task<HashSet<Guid>> Inbox(Session s) =>
            (await s.GetJsonAsync("/api/v1/inbox?limit=200")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToHashSet();

        var agent = await w.SignInAsync("maria@example.com");
        var lead = await w.SignInAsync("lee@example.com");
        var admin = await w.SignInAsync("ada@example.com");
        Assert.Equal(Set(unrouted, careOne, billingButMine), await Listed(agent));
        Assert.Equal(Set(unrouted, careOne, billingButMine), await Inbox(agent));
        Assert.Equal(Set(unrouted, careOne, billingOne, billingButMine), await Listed(lead));
        Assert.Equal(Set(unrouted, careOne, billingOne, billingButMine, elsewhere), await Listed(admin));
        var byKey = (await parley.GetJsonAsync("/api/v1/conversations?limit=200")).GetProperty("items").GetArrayLength();
        Assert.Equal(5, byKey);

        foreach (var hidden in new[] { billingOne, elsewhere })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/api/v1/conversations/{hidden}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{hidden}/replies", new { text = "hi" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{hidden}/resolve")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{hidden}/assign", new { teamId = care })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{hidden}/notes", new { text = "psst" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/api/v1/live?conversation={hidden}")).StatusCode);
            var contact = (await parley.GetJsonAsync($"/api/v1/conversations/{hidden}")).GetProperty("contact").GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/api/v1/contacts/{contact}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/api/v1/conversations/{billingButMine}")).StatusCode);
        Assert.Equal("open", (await parley.GetJsonAsync($"/api/v1/conversations/{billingOne}")).GetProperty("status").GetString());
    }

    private static HashSet<Guid> Set(params Guid[] ids) => [.. ids];

    [Fact]
    public async Task A_conversation_moved_to_another_team_disappears_for_the_agent_at_once()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var conversation = await w.CustomerTweetsAsync("refund please");
        var maria = await w.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.OK, (await maria.GetAsync($"/api/v1/conversations/{conversation}")).StatusCode);

        // Maria hands it to Billing herself; from then on it is Billing's.
        Assert.Equal(HttpStatusCode.OK, (await maria.PostAsync($"/api/v1/conversations/{conversation}/assign", new { teamId = billing })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await maria.GetAsync($"/api/v1/conversations/{conversation}")).StatusCode);
        var page = await maria.GetJsonAsync("/api/v1/inbox");
        Assert.Equal(0, page.GetProperty("total").GetInt32());
    }
}
