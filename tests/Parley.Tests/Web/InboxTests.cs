using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

public sealed class InboxTests
{
    private static List<string> Handles(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("contact").GetProperty("handle").GetString()!).ToList();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_inbox_sorted_by_waiting_lists_oldest_first_and_filters_and_searches_in_the_database(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var now = DateTimeOffset.UtcNow;
        var bag = await w.CustomerTweetsAsync("My BAG never arrived", "1", "ana_travels", now.AddMinutes(-30));
        var seat = await w.CustomerTweetsAsync("seat refund?", "2", "ben", now.AddMinutes(-50));
        var lounge = await w.CustomerTweetsAsync("lounge hours", "3", "cleo", now.AddMinutes(-10));
        await w.AssignAsync(seat, care, maria);
        await parley.Client.PostAsync($"/api/v1/conversations/{lounge}/resolve", null);
        var session = await w.SignInAsync("maria@example.com");

        Assert.Equal(["ben", "ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?sort=waiting")));
        Assert.Equal(["cleo"], Handles(await session.GetJsonAsync("/api/v1/inbox?status=resolved")));
        Assert.Equal(["ben"], Handles(await session.GetJsonAsync("/api/v1/inbox?assignee=me")));
        Assert.Equal(["ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?assignee=none")));
        Assert.Equal(["ben"], Handles(await session.GetJsonAsync($"/api/v1/inbox?team={care}")));
        Assert.Equal(["ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?team=none")));
        Assert.Equal(["ben", "ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?channel=x&sort=waiting")));
        Assert.Empty(Handles(await session.GetJsonAsync("/api/v1/inbox?channel=meta")));
        // Text search ignores case and looks in the messages; @ searches handles.
        Assert.Equal(["ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?q=bag")));
        Assert.Equal(["ana_travels"], Handles(await session.GetJsonAsync("/api/v1/inbox?q=%40ANA_t")));
        Assert.Empty(Handles(await session.GetJsonAsync("/api/v1/inbox?q=%40bag")));
        Assert.Equal(["ben", "cleo"], Handles(await session.GetJsonAsync($"/api/v1/inbox?status=all&sort=waiting&ids={lounge},{seat}")));
        // A refresh by ids counts the ids that still match, whether or not the answer was cut short.
        Assert.Equal(1, (await session.GetJsonAsync($"/api/v1/inbox?ids={lounge},{seat}")).GetProperty("total").GetInt32());
        var cut = await session.GetJsonAsync($"/api/v1/inbox?status=all&sort=waiting&limit=1&ids={lounge},{seat},{bag}");
        Assert.Equal(3, cut.GetProperty("total").GetInt32());
        Assert.Single(cut.GetProperty("items").EnumerateArray());

        var first = await session.GetJsonAsync("/api/v1/inbox?limit=1&sort=waiting");
        Assert.Equal(2, first.GetProperty("total").GetInt32());
        var second = await session.GetJsonAsync($"/api/v1/inbox?limit=1&sort=waiting&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(["ana_travels"], Handles(second));
        var item = second.GetProperty("items")[0];
        Assert.Equal("inbound", item.GetProperty("lastDirection").GetString());
        Assert.Equal("x", item.GetProperty("channelKind").GetString());
        Assert.Equal(bag, item.GetProperty("id").GetGuid());

        var bad = await session.GetAsync("/api/v1/inbox?status=maybe&limit=0&team=care&cursor=nope");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "status", "limit", "team", "cursor" }) Assert.True(errors.TryGetProperty(field, out _), field);
    }

    /// <summary>The JSON in a page's data block (docs/adr/0026), or null when the page has none.</summary>
    private static JsonElement? FirstData(string html)
    {
        const string open = "<script type=\"application/json\" id=\"first-data\">";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        if (start < 0) return null;
        start += open.Length;
        return JsonDocument.Parse(html[start..html.IndexOf("</script>", start, StringComparison.Ordinal)]).RootElement.Clone();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_inbox_and_conversation_pages_carry_their_first_data_as_inert_json_for_those_who_may_see_it(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Sam Berg", "sam@example.com", "agent", billing);
        var hostile = await w.CustomerTweetsAsync("</script><script>alert(1)</script> where is my bag", "1", "ana", DateTimeOffset.UtcNow.AddMinutes(-20));
        await w.CustomerTweetsAsync("seat refund?", "2", "ben", DateTimeOffset.UtcNow.AddMinutes(-10));
        await w.AssignAsync(hostile, care);
        var maria = await w.SignInAsync("maria@example.com");

        // The inbox page holds what the API answers for the same filters; the customer's "</script>" cannot end the block.
        var inbox = FirstData(await (await maria.GetAsync("/?sort=waiting")).Content.ReadAsStringAsync());
        Assert.NotNull(inbox);
        var api = await maria.GetJsonAsync("/api/v1/inbox?sort=waiting&limit=50");
        var page = inbox.Value.GetProperty("page");
        Assert.Equal(Handles(api), Handles(page));
        Assert.Equal(["ana", "ben"], Handles(page));
        Assert.Equal(api.GetProperty("total").GetInt32(), page.GetProperty("total").GetInt32());
        Assert.Contains("</script><script>alert(1)</script>", page.GetProperty("items")[0].GetProperty("preview").GetString());
        Assert.True(inbox.Value.GetProperty("since").GetInt64() >= 0);
        // Filters the API refuses leave the page to ask (and show the API's answer).
        Assert.Null(FirstData(await (await maria.GetAsync("/?status=maybe")).Content.ReadAsStringAsync()));

        var conversation = FirstData(await (await maria.GetAsync($"/conversations/{hostile}")).Content.ReadAsStringAsync());
        Assert.NotNull(conversation);
        Assert.Equal(hostile, conversation.Value.GetProperty("detail").GetProperty("id").GetGuid());
        Assert.Contains("</script><script>", conversation.Value.GetProperty("detail").GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Array, conversation.Value.GetProperty("notes").ValueKind);
        // Another team's agent gets the page but none of the conversation in it.
        var sam = await w.SignInAsync("sam@example.com");
        var other = await sam.GetAsync($"/conversations/{hostile}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var html = await other.Content.ReadAsStringAsync();
        Assert.Null(FirstData(html));
        Assert.DoesNotContain("where is my bag", html);
    }

    [Fact]
    public async Task Saved_views_belong_to_their_person()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Sam Carter", "sam@example.com", "agent", care);
        var maria = await w.SignInAsync("maria@example.com");
        var sam = await w.SignInAsync("sam@example.com");

        Assert.Equal(HttpStatusCode.OK, (await maria.PostAsync("/api/v1/views", new { name = "My X", query = "status=open&channel=x&assignee=me" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await maria.PostAsync("/api/v1/views", new { name = "Bad", query = "color=red" })).StatusCode);
        var views = await maria.GetJsonAsync("/api/v1/views");
        Assert.Equal("status=open&channel=x&assignee=me", views[0].GetProperty("query").GetString());
        Assert.Equal(0, (await sam.GetJsonAsync("/api/v1/views")).GetArrayLength());
        var id = views[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await sam.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/views/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await maria.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/views/{id}"))).StatusCode);
    }
}
