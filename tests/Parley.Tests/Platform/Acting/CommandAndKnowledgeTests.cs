using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Platform.Webhooks;

namespace Parley.Tests.Platform.Acting;

public sealed class CommandAndKnowledgeTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_hashtag_command_reaches_the_app_through_its_webhook_and_its_answer_points_back_at_it(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var parley = await TestParley.StartAsync(provider, WebhookSetup.FastRetries(maxAttempts: 5));
        var s = await ActingSetup.StartAsync(parley);
        var (app, client) = await s.AppAsync("Logistics", "events:read", "conversations:read", "conversations:write");
        var (_, stranger) = await s.AppAsync("Billing", "conversations:write");
        using var __ = client;
        using var ___ = stranger;
        await ActingSetup.OkJsonAsync(await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks",
            new { url = receiver.Url, events = new[] { "command.invoked" } }), HttpStatusCode.Created);

        // The app registers its own command; another app cannot touch it (it does not even exist for that app).
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/commands",
            new { name = "#track", description = "Where the parcel is, from the carrier." }), HttpStatusCode.Created);
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/commands",
            new { name = "track", description = "Again" }), HttpStatusCode.Conflict);
        await ActingSetup.OkJsonAsync(await stranger.GetAsync($"/api/v1/apps/{app.AppId}/commands"), HttpStatusCode.NotFound);
        var offered = await s.Agent.GetJsonAsync($"/api/v1/conversations/{s.Conversation}/commands");
        Assert.Equal("track", Assert.Single(offered.EnumerateArray()).GetProperty("name").GetString());

        // A '#' glued to a word, or an unknown command, invokes nothing.
        await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"/api/v1/conversations/{s.Conversation}/notes",
            new { text = "See issue#track and #tracking and #refund" }), HttpStatusCode.Created);
        // The agent writes the command in a note; the app hears of it through its webhook.
        await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"/api/v1/conversations/{s.Conversation}/notes",
            new { text = "Customer asks again. #track 12345\nthanks" }), HttpStatusCode.Created);
        await WebhookSetup.UntilAsync(() => Task.FromResult(!receiver.Requests.IsEmpty), "the command.invoked delivery");
        var delivered = JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement;
        Assert.Equal("command.invoked", delivered.GetProperty("type").GetString());
        var data = delivered.GetProperty("data");
        Assert.Equal("track", data.GetProperty("command").GetString());
        Assert.Equal("12345", data.GetProperty("arguments").GetString());
        Assert.Equal(s.Conversation, data.GetProperty("conversationId").GetGuid());
        Assert.Equal(app.AppId, data.GetProperty("appId").GetGuid());
        Assert.Equal("Ann Agent", data.GetProperty("invokedBy").GetString());
        var invocation = data.GetProperty("invocationId").GetGuid();

        // The answer: a note credited to the app, pointing at the invocation; someone else's invocation id is refused.
        await ActingSetup.OkJsonAsync(await stranger.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/notes",
            new { text = "Not mine", inReplyToCommand = invocation }), HttpStatusCode.BadRequest);
        var answer = await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/notes",
            new { text = "Parcel 12345: with DHL, arrives Tuesday. #track", inReplyToCommand = invocation }), HttpStatusCode.Created);
        Assert.Equal(invocation, answer.GetProperty("inReplyToCommand").GetGuid());
        Assert.Equal("app", answer.GetProperty("authorKind").GetString());
        // An app quoting a command does not invoke it again.
        Assert.Single(await s.EventsAsync("command.invoked"));

        await ActingSetup.OkJsonAsync(await client.DeleteAsync($"/api/v1/apps/{app.AppId}/commands/track"), HttpStatusCode.NoContent);
        Assert.Empty((await s.Agent.GetJsonAsync($"/api/v1/conversations/{s.Conversation}/commands")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Apps_write_the_brands_knowledge_base_and_agents_search_it(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley);
        var team = await s.Workspace.TeamAsync("Care");
        await s.Workspace.PersonAsync("Bo Agent", "bo@example.com", "agent", team);
        var agent = await s.Workspace.SignInAsync("bo@example.com");
        var (app, client) = await s.AppAsync("Docs", "knowledge:write", "conversations:read");
        using var _ = client;
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherApp = await AppKeys.CreateAsync(parley, s.Owner, ["knowledge:write", "conversations:read"], [otherBrand], name: "Other docs");
        using var otherClient = AppKeys.ClientFor(parley, otherApp.Key);

        var created = await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync("/api/v1/knowledge", new
        {
            brandId = s.Workspace.Brand, title = "Late parcels", body = "When DHL is late, offer a free re-send after 5 working days.", tags = new[] { "delivery" },
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("app", created.GetProperty("updatedByKind").GetString());
        Assert.Equal(app.AppId, created.GetProperty("updatedByAppId").GetGuid());
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync("/api/v1/knowledge", new { brandId = s.Workspace.Brand, title = "", body = "x" }), HttpStatusCode.BadRequest);
        await ActingSetup.OkJsonAsync(await otherClient.PostAsJsonAsync("/api/v1/knowledge", new { brandId = otherBrand, title = "Theirs", body = "dhl late other brand" }), HttpStatusCode.Created);

        // Agents of the brand find it by any words, case-insensitively; not the other brand's.
        var found = await agent.GetJsonAsync("/api/v1/knowledge?q=dhl%20LATE");
        Assert.Equal([id], found.EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToArray());
        Assert.Contains("DHL", found[0].GetProperty("excerpt").GetString());
        Assert.Empty((await agent.GetJsonAsync("/api/v1/knowledge?q=refund")).EnumerateArray());
        // Agents read but do not write; another brand's key cannot see the article.
        await ActingSetup.OkJsonAsync(await agent.PostAsync("/api/v1/knowledge", new { brandId = s.Workspace.Brand, title = "Mine", body = "text" }), HttpStatusCode.Forbidden);
        await ActingSetup.OkJsonAsync(await otherClient.GetAsync($"/api/v1/knowledge/{id}"), HttpStatusCode.NotFound);

        await ActingSetup.OkJsonAsync(await client.PutAsJsonAsync($"/api/v1/knowledge/{id}", new { title = "Late parcels", body = "Offer a re-send after 3 days." }), HttpStatusCode.OK);
        Assert.DoesNotContain((await agent.GetJsonAsync("/api/v1/knowledge?q=dhl")).EnumerateArray(), a => a.GetProperty("id").GetGuid() == id);
        await ActingSetup.OkJsonAsync(await client.DeleteAsync($"/api/v1/knowledge/{id}"), HttpStatusCode.NoContent);
        await ActingSetup.OkJsonAsync(await agent.GetAsync($"/api/v1/knowledge/{id}"), HttpStatusCode.NotFound);
        var types = (await parley.AllEventsAsync()).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("knowledge.published", types);
        Assert.Contains("knowledge.deleted", types);
    }
}
