using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Routing;
using Parley.Simulator;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Routing;

/// <summary>Queues, rules and agents made through the API, and what the log says about assignments.</summary>
public static class RoutingSetup
{
    private static long _nextTweet = 7_000_000;

    public static async Task<Guid> RuleAsync(this Workspace w, Guid team, string name, object? conditions = null, int order = 0)
    {
        var body = JsonSerializer.SerializeToNode(conditions ?? new { }, JsonSerializerOptions.Web)!.AsObject();
        body["brandId"] = w.Brand;
        body["teamId"] = team;
        body["name"] = name;
        body["order"] = order;
        var response = await w.Parley.Client.PostAsJsonAsync("/api/v1/routing-rules", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task QueueAsync(this Workspace w, Guid team, object settings)
    {
        var response = await w.Parley.Client.PutAsJsonAsync($"/api/v1/queues/{team}", settings);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sets a person's routing profile as their lead would; "online" counts as present for two minutes.</summary>
    public static async Task AgentAsync(this Workspace w, Guid user, string status = "online", int? capacity = null, params string[] skills)
    {
        var response = await w.Parley.Client.PatchAsJsonAsync($"/api/v1/agents/{user}",
            new { status, capacity, skills = skills.Length == 0 ? null : skills });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Several customers tweet at once (one webhook each), processed together.</summary>
    public static async Task<List<Guid>> CustomersTweetAsync(this Workspace w, int count, string text = "hello, anyone there?")
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = Interlocked.Increment(ref _nextTweet).ToString(System.Globalization.CultureInfo.InvariantCulture);
            ids.Add(id);
            var user = "8" + id;
            var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme " + text, new SimXUser(user, "c" + id, "Customer " + id),
                DateTimeOffset.UtcNow.AddMinutes(-count + i)));
            Assert.Equal(HttpStatusCode.OK, (await w.Parley.PostXWebhookAsync(w.Channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        }
        await w.Parley.DrainInboundAsync(TimeSpan.FromSeconds(30));
        return await w.Parley.WithDbAsync(db => Task.FromResult(ids.Select(id => db.Messages.Where(m => m.ExternalId == id).Select(m => m.ConversationId).Single()).ToList()));
    }

    /// <summary>Runs a routing pass now (the background worker also runs; passes on one node take turns).</summary>
    public static Task<int> RouteNowAsync(this TestParley parley) =>
        parley.App.Services.GetRequiredService<RoutingWorker>().RunOnceAsync(CancellationToken.None);

    /// <summary>Runs routing passes until one changes nothing.</summary>
    public static async Task SettleAsync(this TestParley parley)
    {
        for (var i = 0; i < 50 && await parley.RouteNowAsync() > 0; i++) { }
    }

    public static async Task<Dictionary<Guid, Guid?>> OwnersAsync(this TestParley parley, IEnumerable<Guid> conversations)
    {
        var ids = conversations.ToArray();
        return await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Where(c => ids.Contains(c.Id)).ToDictionary(c => c.Id, c => c.AssigneeId)));
    }

    public static async Task<List<JsonElement>> EventsOfTypeAsync(this TestParley parley, string type) =>
        (await parley.AllEventsAsync()).Where(e => e.GetProperty("type").GetString() == type).ToList();
}
