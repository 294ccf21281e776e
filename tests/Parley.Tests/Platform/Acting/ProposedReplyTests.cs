using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform.Acting;

/// <summary>An app's reply under the brand's approval rule: stored as a proposal, never sent until a person approves,
/// sent exactly once after, never when rejected; a brand that trusts the app lets it send directly.</summary>
public sealed class ProposedReplyTests
{
    private static int Tweets(NetworkSimulator network) => network.Calls.Count(c => c.Method == "POST" && c.Path == "/2/tweets");

    private static async Task<JsonElement> SettledAsync(ActingSetup s, Guid message)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var detail = await s.Agent.GetJsonAsync($"/api/v1/conversations/{s.Conversation}");
            var m = detail.GetProperty("messages").EnumerateArray().FirstOrDefault(x => x.GetProperty("id").GetGuid() == message);
            if (m.ValueKind == JsonValueKind.Object && m.GetProperty("deliveryStatus").GetString() != "pending") return m;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("The reply was not delivered in time.");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_proposed_reply_waits_for_approval_is_sent_once_and_a_rejected_one_never(string provider)
    {
        await using var network = await NetworkSimulator.StartAsync();
        network.RegisterXAccount("x-token", "123");
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley, network.BaseAddress.ToString().TrimEnd('/'));
        var (app, client) = await s.AppAsync("Logistics", "conversations:read", "messages:send");
        using var _ = client;
        var path = $"/api/v1/conversations/{s.Conversation}";

        // No rule for the brand: an app's reply needs approval.
        var proposed = await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"{path}/replies", new { text = "Your parcel arrives Tuesday." }), HttpStatusCode.Accepted);
        Assert.Equal("proposed", proposed.GetProperty("status").GetString());
        Assert.Equal("Logistics", proposed.GetProperty("author").GetString());
        var first = proposed.GetProperty("id").GetGuid();
        var second = (await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"{path}/replies", new { text = "We refunded you." }), HttpStatusCode.Accepted))
            .GetProperty("id").GetGuid();

        // Not a message, not sent; the agent sees both proposals in the conversation.
        var detail = await s.Agent.GetJsonAsync(path);
        Assert.DoesNotContain(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "outbound");
        var proposals = await s.Agent.GetJsonAsync($"{path}/proposals");
        Assert.Equal([first, second], proposals.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToArray());
        Assert.All(proposals.EnumerateArray(), p => Assert.Equal("app", p.GetProperty("authorKind").GetString()));

        // Apps cannot approve, not even their own; rejection needs a reason.
        await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"{path}/replies/{first}/approve", new { }), HttpStatusCode.Forbidden);
        await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"{path}/replies/{second}/reject", new { reason = "" }), HttpStatusCode.BadRequest);
        var rejected = await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"{path}/replies/{second}/reject", new { reason = "No refund was agreed." }), HttpStatusCode.OK);
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"{path}/replies/{second}/approve", new { }), HttpStatusCode.Conflict);

        // Approved with an edit: queued under the app's name with the proposal's id, and sent exactly once.
        var approved = await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"{path}/replies/{first}/approve",
            new { text = "Your parcel arrives on Tuesday." }), HttpStatusCode.Accepted);
        Assert.Equal(first, approved.GetProperty("id").GetGuid());
        await ActingSetup.OkJsonAsync(await s.Agent.PostAsync($"{path}/replies/{first}/approve", new { }), HttpStatusCode.Conflict);
        var sent = await SettledAsync(s, first);
        Assert.Equal("sent", sent.GetProperty("deliveryStatus").GetString());
        Assert.Equal("app", sent.GetProperty("authorKind").GetString());
        Assert.Equal(app.AppId, sent.GetProperty("authorAppId").GetGuid());
        Assert.Equal("Logistics", sent.GetProperty("author").GetString());
        var call = Assert.Single(network.Calls, c => c.Method == "POST" && c.Path == "/2/tweets");
        Assert.Contains("arrives on Tuesday", JsonDocument.Parse(call.Body).RootElement.GetProperty("text").GetString());

        Assert.Equal(2, (await s.EventsAsync("reply.proposed")).Count);
        var approvedEvent = Assert.Single(await s.EventsAsync("reply.approved")).GetProperty("data");
        Assert.Equal("Ann Agent", approvedEvent.GetProperty("approvedBy").GetString());
        Assert.True(approvedEvent.GetProperty("edited").GetBoolean());
        Assert.Equal("No refund was agreed.", Assert.Single(await s.EventsAsync("reply.rejected")).GetProperty("data").GetProperty("reason").GetString());
        var queued = Assert.Single(await s.EventsAsync("reply.queued")).GetProperty("data");
        Assert.Equal(app.AppId, queued.GetProperty("authorAppId").GetGuid());
        Assert.Equal(1, Tweets(network));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Colleagues_approving_the_same_proposal_at_once_send_it_once(string provider)
    {
        await using var network = await NetworkSimulator.StartAsync();
        network.RegisterXAccount("x-token", "123");
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley, network.BaseAddress.ToString().TrimEnd('/'));
        await s.Workspace.PersonAsync("Bo Admin", "bo@example.com", "admin");
        var bo = await s.Workspace.SignInAsync("bo@example.com");
        var (_, client) = await s.AppAsync("Logistics", "messages:send");
        using var _ = client;
        var path = $"/api/v1/conversations/{s.Conversation}";
        var proposal = (await ActingSetup.OkJsonAsync(await client.PostAsJsonAsync($"{path}/replies", new { text = "Your parcel arrives Tuesday." }), HttpStatusCode.Accepted))
            .GetProperty("id").GetGuid();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            (i % 2 == 0 ? s.Agent : bo).PostAsync($"{path}/replies/{proposal}/approve", new { })));
        var statuses = answers.Select(a => a.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(x => x == HttpStatusCode.Accepted));
        Assert.All(statuses.Where(x => x != HttpStatusCode.Accepted), x => Assert.Equal(HttpStatusCode.Conflict, x));

        Assert.Equal("sent", (await SettledAsync(s, proposal)).GetProperty("deliveryStatus").GetString());
        Assert.Single(await s.EventsAsync("reply.approved"));
        Assert.Equal(1, Tweets(network));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_brand_that_trusts_an_app_lets_it_reply_directly_under_its_name(string provider)
    {
        await using var network = await NetworkSimulator.StartAsync();
        network.RegisterXAccount("x-token", "123");
        await using var parley = await TestParley.StartAsync(provider);
        var s = await ActingSetup.StartAsync(parley, network.BaseAddress.ToString().TrimEnd('/'));
        var (trusted, trustedClient) = await s.AppAsync("Logistics", "messages:send");
        var (_, otherClient) = await s.AppAsync("Marketing", "messages:send");
        using var __ = trustedClient;
        using var ___ = otherClient;

        var rules = await ActingSetup.OkJsonAsync(await parley.Client.PutAsJsonAsync($"/api/v1/brands/{s.Workspace.Brand}/app-replies",
            new { requireApproval = true, apps = new[] { new { appId = trusted.AppId, requireApproval = false } } }), HttpStatusCode.OK);
        Assert.False(rules.GetProperty("apps")[0].GetProperty("requireApproval").GetBoolean());
        await ActingSetup.OkJsonAsync(await parley.Client.PutAsJsonAsync($"/api/v1/brands/{s.Workspace.Brand}/app-replies",
            new { requireApproval = true, apps = new[] { new { appId = Guid.NewGuid(), requireApproval = false } } }), HttpStatusCode.BadRequest);

        var direct = await ActingSetup.OkJsonAsync(await trustedClient.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/replies",
            new { text = "Your parcel arrives Tuesday." }), HttpStatusCode.Accepted);
        Assert.Equal("pending", direct.GetProperty("deliveryStatus").GetString());
        Assert.Equal("app", direct.GetProperty("authorKind").GetString());
        var proposal = await ActingSetup.OkJsonAsync(await otherClient.PostAsJsonAsync($"/api/v1/conversations/{s.Conversation}/replies",
            new { text = "20% off today!" }), HttpStatusCode.Accepted);
        Assert.Equal("proposed", proposal.GetProperty("status").GetString());

        Assert.Equal("sent", (await SettledAsync(s, direct.GetProperty("id").GetGuid())).GetProperty("deliveryStatus").GetString());
        Assert.Equal(1, Tweets(network));
    }
}
