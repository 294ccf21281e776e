using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Events;

/// <summary>A short day at a brand through the API: customers write, the brand replies, notes, resolves, reopens by
/// hand, assigns and merges two contacts. It writes most kinds of events apps follow.</summary>
internal static class EventScenario
{
    public static async Task RunAsync(Workspace w)
    {
        var parley = w.Parley;
        var team = await w.TeamAsync("Care");
        var first = await w.CustomerTweetsAsync("where is my refund?", "41", "ana");
        var second = await w.CustomerTweetsAsync("my card 4111 1111 1111 1111 was charged twice", "42", "ben");
        Ok(await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{first}/notes", new { text = "Billing is on it." }));
        Ok(await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{first}/replies", new { text = "Sorry, we are checking." }));
        await w.AssignAsync(second, team);
        Ok(await parley.Client.PostAsync($"/api/v1/conversations/{first}/resolve", null));
        Ok(await parley.Client.PostAsync($"/api/v1/conversations/{first}/reopen", null));
        var (ana, ben) = await parley.WithDbAsync(async db => (
            await db.Conversations.Where(c => c.Id == first).Select(c => c.ContactId).SingleAsync(),
            await db.Conversations.Where(c => c.Id == second).Select(c => c.ContactId).SingleAsync()));
        Ok(await parley.Client.PostAsJsonAsync($"/api/v1/contacts/{ana}/merge", new { otherContactId = ben }));
        Ok(await parley.Client.PutAsJsonAsync($"/api/v1/contacts/{ana}/facts", new { value = 120, facts = new { plan = "gold" } }));
        await w.CustomerTweetsAsync("thanks!", "41", "ana");
    }

    private static void Ok(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");

    /// <summary>The last event in the log now, as a cursor.</summary>
    public static async Task<string?> CursorAsync(TestParley parley) =>
        (await parley.AllEventsAsync()).LastOrDefault() is { ValueKind: JsonValueKind.Object } last ? last.GetProperty("id").GetString() : null;

    /// <summary>Everything after <paramref name="after"/>, paged through GET /api/v1/events, once the API shows every
    /// committed event (on PostgreSQL it holds back events while an older transaction on the server is open).</summary>
    public static async Task<List<JsonElement>> ReplayAsync(TestParley parley, string? after, string query = "", HttpClient? client = null)
    {
        await parley.AllEventsAsync();
        var items = new List<JsonElement>();
        var cursor = after;
        while (true)
        {
            var page = await (client ?? parley.Client).GetFromJsonAsync<JsonElement>("/api/v1/events?limit=7" + query + (cursor is null ? "" : "&after=" + cursor));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            var next = page.GetProperty("nextCursor").GetString();
            if (next == cursor) return items;
            cursor = next;
        }
    }
}
