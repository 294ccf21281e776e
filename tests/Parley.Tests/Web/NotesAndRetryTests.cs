using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

public sealed class NotesAndRetryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_mention_in_a_note_notifies_the_colleague_and_one_who_cannot_see_the_conversation_is_refused(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        var lee = await w.PersonAsync("Lee Lead", "lee.lead@example.com", "lead", care);
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Sam Carter", "sam@example.com", "agent", billing);
        var conversation = await w.CustomerTweetsAsync("I want a voucher");
        await w.AssignAsync(conversation, care);
        var maria = await w.SignInAsync("maria@example.com");

        var refused = await maria.PostAsync($"/api/v1/conversations/{conversation}/notes", new { text = "@sam can billing look?" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("@sam cannot see this conversation", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var added = await maria.PostAsync($"/api/v1/conversations/{conversation}/notes", new { text = "@lee.lead can we approve a voucher? (the customer is @dana)" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var note = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([lee], note.GetProperty("mentions").EnumerateArray().Select(m => m.GetProperty("userId").GetGuid()));
        Assert.Equal("Maria Lopez", note.GetProperty("author").GetString());

        var leeSession = await w.SignInAsync("lee.lead@example.com");
        var notifications = await leeSession.GetJsonAsync("/api/v1/notifications");
        Assert.Equal(1, notifications.GetProperty("unread").GetInt32());
        var item = notifications.GetProperty("items")[0];
        Assert.Equal("mention", item.GetProperty("kind").GetString());
        Assert.Equal(conversation, item.GetProperty("conversationId").GetGuid());
        Assert.Equal(HttpStatusCode.NoContent, (await leeSession.PostAsync($"/api/v1/notifications/{item.GetProperty("id").GetGuid()}/read")).StatusCode);
        Assert.Equal(0, (await leeSession.GetJsonAsync("/api/v1/notifications")).GetProperty("unread").GetInt32());

        Assert.Single((await leeSession.GetJsonAsync($"/api/v1/conversations/{conversation}/notes")).EnumerateArray());
        var contact = (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("contact").GetProperty("id").GetGuid();
        Assert.Single((await leeSession.GetJsonAsync($"/api/v1/contacts/{contact}/notes")).EnumerateArray());
        var logged = (await parley.GetJsonAsync("/api/v1/events?limit=1000")).GetProperty("items").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "note.added");
        Assert.Equal($"conversations/{conversation}", logged.GetProperty("subject").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failed_reply_can_be_retried_once_and_is_then_delivered(string provider)
    {
        await using var simulator = await NetworkSimulator.StartAsync();
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley, simulator.BaseAddress.ToString().TrimEnd('/'));
        var conversation = await w.CustomerTweetsAsync("where is my refund");
        simulator.AddFault(new Fault(Fault.Status, "/2/tweets", Times: 1, StatusCode: 403));

        var queued = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Checking now.", visibility = "public" });
        var message = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        async Task<JsonElement?> Reply(string status)
        {
            var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
            var m = detail.GetProperty("messages").EnumerateArray().Single(x => x.GetProperty("id").GetGuid() == message);
            return m.GetProperty("deliveryStatus").GetString() == status ? m : null;
        }
        var failed = await TestParley.EventuallyAsync(async () => await Reply("failed") is { } m ? (object)m : null, "the reply to fail");
        Assert.Contains("403", ((JsonElement)failed).GetProperty("deliveryError").GetString(), StringComparison.Ordinal);

        var retry = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/replies/{message}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("pending", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryStatus").GetString());
        await TestParley.EventuallyAsync(async () => await Reply("sent") is { } m ? (object)m : null, "the retried reply to be sent");
        Assert.Equal(HttpStatusCode.Conflict, (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/replies/{message}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/replies/{Guid.NewGuid()}/retry", null)).StatusCode);
        Assert.Equal(2, simulator.Calls.Count(c => c is { Method: "POST", Path: "/2/tweets" }));
    }
}
