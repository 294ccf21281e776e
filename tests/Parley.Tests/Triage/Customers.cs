using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Triage;

/// <summary>Customers tweeting at a brand with the reach they have on X, and the brand's triage settings, through the API.</summary>
internal static class Customers
{
    private static long _nextTweet = 7_000_000;

    public static SimXUser Person(string id, string handle, int followers = 0, bool verified = false) =>
        new(id, handle, handle.ToUpperInvariant(), followers, verified);

    /// <summary>The customer tweets at the brand at <paramref name="at"/> (network time); returns the conversation.</summary>
    public static async Task<Guid> TweetAsync(this Workspace w, SimXUser customer, string text, DateTimeOffset at) =>
        (await w.TweetWithIdAsync(customer, text, at)).Conversation;

    /// <param name="inReplyTo">A tweet this one answers (a reply joins that tweet's conversation, even a resolved one).</param>
    public static async Task<(Guid Conversation, string TweetId)> TweetWithIdAsync(this Workspace w, SimXUser customer, string text,
        DateTimeOffset at, string? inReplyTo = null)
    {
        var id = Interlocked.Increment(ref _nextTweet).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme " + text, customer, at, inReplyTo, inReplyTo is null ? null : customer));
        Assert.Equal(HttpStatusCode.OK, (await w.Parley.PostXWebhookAsync(w.Channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        await w.Parley.DrainInboundAsync();
        return (await w.Parley.WithDbAsync(db => Task.FromResult(db.Messages.Where(m => m.ExternalId == id).Select(m => m.ConversationId).Single())), id);
    }

    public static async Task<JsonElement> PutTriageAsync(this Workspace w, object settings)
    {
        var response = await w.Parley.Client.PutAsJsonAsync($"/api/v1/brands/{w.Brand}/triage", settings);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT triage answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> TriageOfAsync(this TestParley parley, Guid conversation) =>
        (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("triage");

    public static List<string> Reasons(JsonElement triage) =>
        triage.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();

    public static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(x => x.GetString()!).ToList();

    public static async Task<List<Guid>> InboxAsync(this TestParley parley, string query = "")
    {
        var page = await parley.GetJsonAsync("/api/v1/inbox?limit=200" + query);
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
    }
}
