using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Triage;

/// <summary>Who the customer is counts: reach from the networks, history from earlier conversations, and
/// value from the brand's own apps through the API.</summary>
public sealed class CustomerContextTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_value_from_the_brands_app_raises_the_priority_of_the_customers_open_conversation(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var conversation = await w.TweetAsync(Customers.Person("9", "vip", followers: 1_200_000, verified: true), "can I change my seat?", DateTimeOffset.UtcNow.AddMinutes(-5));
        var before = await parley.TriageOfAsync(conversation);
        Assert.Contains("1.2M followers", Customers.Reasons(before));
        Assert.Contains("verified", Customers.Reasons(before));
        Assert.DoesNotContain("high-value customer", Customers.Reasons(before));
        var contact = (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("contact").GetProperty("id").GetGuid();

        var put = await parley.Client.PutAsJsonAsync($"/api/v1/contacts/{contact}/facts", new { value = 25_000, facts = new { tier = "gold", openOrders = 2 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var after = await parley.TriageOfAsync(conversation);
        Assert.Contains("high-value customer", Customers.Reasons(after));
        Assert.Equal(before.GetProperty("priority").GetInt32() + 10, after.GetProperty("priority").GetInt32());
        Assert.Equal(25_000m, after.GetProperty("signals").GetProperty("customer").GetProperty("value").GetDecimal());
        var detail = await parley.GetJsonAsync($"/api/v1/contacts/{contact}");
        Assert.Equal("gold", detail.GetProperty("facts").GetProperty("tier").GetString());
        Assert.Equal(25_000m, detail.GetProperty("value").GetDecimal());
        Assert.Contains(await parley.AllEventsAsync(), e => e.GetProperty("type").GetString() == "contact.facts_changed");

        var nested = await parley.Client.PutAsJsonAsync($"/api/v1/contacts/{contact}/facts", new { facts = new { address = new { city = "Lisbon" } } });
        Assert.Equal(HttpStatusCode.BadRequest, nested.StatusCode);
        Assert.True(JsonDocument.Parse(await nested.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("facts.address", out _));
        Assert.Equal("gold", (await parley.GetJsonAsync($"/api/v1/contacts/{contact}/facts")).GetProperty("facts").GetProperty("tier").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await parley.Client.PutAsJsonAsync($"/api/v1/contacts/{Guid.NewGuid()}/facts", new { value = 1 })).StatusCode);

        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria Agent", "maria@example.com", "agent", care);
        var maria = await w.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.Forbidden, (await maria.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/contacts/{contact}/facts")
        { Content = JsonContent.Create(new { value = 1 }) })).StatusCode);
    }

    [Fact]
    public async Task A_customer_whose_last_conversation_was_never_answered_comes_first()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var first = await w.TweetAsync(Customers.Person("3", "cleo"), "is the lounge open?", now.AddDays(-3));
        (await parley.Client.PostAsync($"/api/v1/conversations/{first}/resolve", null)).EnsureSuccessStatusCode();
        var again = await w.TweetAsync(Customers.Person("3", "cleo"), "is the lounge open?", now.AddMinutes(-2));
        var stranger = await w.TweetAsync(Customers.Person("4", "dev"), "is the lounge open?", now.AddMinutes(-9));

        Assert.NotEqual(first, again);
        var triage = await parley.TriageOfAsync(again);
        Assert.Contains("last conversation unresolved", Customers.Reasons(triage));
        Assert.Equal(1, triage.GetProperty("signals").GetProperty("customer").GetProperty("previousConversations").GetInt32());
        Assert.Equal([again, stranger], await parley.InboxAsync());
    }
}
