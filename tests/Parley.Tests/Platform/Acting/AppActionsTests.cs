using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform.Acting;

/// <summary>What an app's key does in a conversation is credited to the app: in the thread, the API and the event log.</summary>
public sealed class AppActionsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_apps_note_is_credited_to_the_app_in_the_thread_and_the_event_log(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley);
        var (app, client) = await s.AppAsync("Logistics", "conversations:read", "conversations:write");
        using var _ = client;

        var created = await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/notes",
            new { text = "Parcel re-sent, arrives Tuesday." }), HttpStatusCode.Created);
        Assert.Equal("app", created.GetProperty("authorKind").GetString());
        Assert.Equal(app.AppId, created.GetProperty("authorAppId").GetGuid());

        // The agent's thread shows it as the app's.
        var notes = await s.Agent.GetJsonAsync($"/api/v1/conversations/{s.Conversation}/notes");
        var note = Assert.Single(notes.EnumerateArray());
        Assert.Equal("Logistics", note.GetProperty("author").GetString());
        Assert.Equal("app", note.GetProperty("authorKind").GetString());
        Assert.True(note.GetProperty("authorUserId").ValueKind == JsonValueKind.Null);

        var logged = Assert.Single(await s.EventsAsync("note.added")).GetProperty("data");
        Assert.Equal("app", logged.GetProperty("authorKind").GetString());
        Assert.Equal(app.AppId, logged.GetProperty("authorAppId").GetGuid());
        Assert.Equal("Logistics", logged.GetProperty("author").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Facts_an_app_sets_on_a_contact_are_credited_to_it(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley);
        var (app, client) = await s.AppAsync("Billing", "contacts:read", "contacts:write");
        using var _ = client;
        var contact = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Where(c => c.Id == s.Conversation).Select(c => c.ContactId).Single()));

        var put = await ActingSetup.OkJsonAsync(await client.PutAsJsonAsync($"/api/v1/contacts/{contact}/facts",
            new { value = 1200, facts = new { plan = "gold", openInvoices = 2 } }), HttpStatusCode.OK);
        Assert.Equal("Billing", put.GetProperty("updatedBy").GetString());

        var detail = await s.Agent.GetJsonAsync($"/api/v1/contacts/{contact}");
        Assert.Equal("Billing", detail.GetProperty("factsUpdatedBy").GetString());
        Assert.Equal(app.AppId, detail.GetProperty("factsUpdatedByAppId").GetGuid());
        var logged = Assert.Single(await parley.AllEventsAsync(), e => e.GetProperty("type").GetString() == "contact.facts_changed").GetProperty("data");
        Assert.Equal(app.AppId, logged.GetProperty("byAppId").GetGuid());
        Assert.Equal("app", logged.GetProperty("byKind").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_app_tags_and_routes_a_conversation_and_the_tag_filters_the_lists(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley);
        var other = await s.Workspace.CustomerTweetsAsync("hello", "43", "eve");
        var team = await s.Workspace.TeamAsync("Returns");
        var (app, client) = await s.AppAsync("Billing", "conversations:read", "conversations:write");
        using var _ = client;

        var tags = await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/tags",
            new { tags = new[] { "#Refund", "vip" } }), HttpStatusCode.OK);
        Assert.Equal(["refund", "vip"], tags.EnumerateArray().Select(t => t.GetProperty("tag").GetString()!).ToArray());
        Assert.All(tags.EnumerateArray(), t => Assert.Equal(app.AppId, t.GetProperty("addedByAppId").GetGuid()));
        // Adding again changes nothing and logs nothing.
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/tags", new { tags = new[] { "vip" } }), HttpStatusCode.OK);
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/tags", new { tags = new[] { "not a tag!" } }), HttpStatusCode.BadRequest);

        var listed = await client.GetFromJsonAsync<JsonElement>("/api/v1/conversations?tag=refund");
        Assert.Equal([s.Conversation], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray());
        Assert.Equal(["refund", "vip"], listed.GetProperty("items")[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        var inbox = await s.Agent.GetJsonAsync("/api/v1/inbox?tag=vip");
        Assert.Equal([s.Conversation], inbox.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToArray());
        Assert.DoesNotContain(other, inbox.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));

        await ActingSetup.OkJsonAsync(await client.DeleteAsync($"/api/v1/conversations/{s.Conversation}/tags/refund"), HttpStatusCode.NoContent);
        await ActingSetup.OkJsonAsync(await client.DeleteAsync($"/api/v1/conversations/{s.Conversation}/tags/refund"), HttpStatusCode.NoContent);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/v1/conversations?tag=refund")).GetProperty("items").EnumerateArray());

        var tagged = Assert.Single(await s.EventsAsync("conversation.tagged")).GetProperty("data");
        Assert.Equal(app.AppId, tagged.GetProperty("byAppId").GetGuid());
        var untagged = Assert.Single(await s.EventsAsync("conversation.untagged")).GetProperty("data");
        Assert.Equal("refund", untagged.GetProperty("tags")[0].GetString());

        // Routing from outside: the existing assign endpoint, credited to the app.
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/assign",
            new { teamId = team, assigneeId = (Guid?)null }), HttpStatusCode.OK);
        var assigned = (await s.EventsAsync("conversation.assigned")).Last().GetProperty("data");
        Assert.Equal("Billing", assigned.GetProperty("by").GetString());
        Assert.Equal(team, assigned.GetProperty("teamId").GetGuid());
    }
}
