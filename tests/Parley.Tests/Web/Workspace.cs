using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

/// <summary>A brand with an X channel (the Zammad fixtures' account 123, secret "DDD"), teams and people, made through the API.</summary>
public sealed class Workspace
{
    public const string Password = "correct horse battery";
    private long _nextTweet = 9_000_000;

    public required TestParley Parley { get; init; }
    public required Guid Brand { get; init; }
    public required Guid Channel { get; init; }

    public static async Task<Workspace> CreateAsync(TestParley parley, string apiBaseUrl = "http://127.0.0.1:9")
    {
        var brand = await parley.CreateBrandAsync("Acme");
        var channel = await parley.CreateXChannelAsync(apiBaseUrl: apiBaseUrl, brandId: brand);
        return new Workspace { Parley = parley, Brand = brand, Channel = channel };
    }

    public async Task<Guid> TeamAsync(string name, Guid? brand = null)
    {
        var response = await Parley.Client.PostAsJsonAsync("/api/v1/teams", new { name, brandId = brand ?? Brand });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<Guid> PersonAsync(string name, string email, string role = "agent", params Guid[] teamIds)
    {
        var response = await Parley.Client.PostAsJsonAsync("/api/v1/users", new { name, email, role, password = Password, teamIds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("id").GetGuid();
    }

    public Task<Session> SignInAsync(string email) => Session.SignInAsync(Parley, email, Password);

    /// <summary>A customer tweets at the brand; returns the conversation it landed in.</summary>
    public async Task<Guid> CustomerTweetsAsync(string text, string userId = "42", string handle = "dana", DateTimeOffset? at = null, Guid? channel = null)
    {
        var id = Interlocked.Increment(ref _nextTweet).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme " + text, new SimXUser(userId, handle, handle.ToUpperInvariant()), at ?? DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.OK, (await Parley.PostXWebhookAsync(channel ?? Channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        await Parley.DrainInboundAsync();
        return await Parley.WithDbAsync(db => Task.FromResult(db.Messages.Where(m => m.ExternalId == id).Select(m => m.ConversationId).Single()));
    }

    public async Task AssignAsync(Guid conversation, Guid? team, Guid? assignee = null)
    {
        var response = await Parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/assign", new { teamId = team, assigneeId = assignee });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
