using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Templates;

/// <summary>Saved replies through the API: managed by leads, per brand and team, searched, and filled in for a conversation.</summary>
public sealed class TemplateApiTests
{
    private static async Task<Guid> TemplateAsync(TestParley parley, object body)
    {
        var response = await parley.Client.PostAsJsonAsync("/api/v1/templates", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static List<string> Names(JsonElement list) => [.. list.EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_template_is_filled_in_with_the_customer_the_agent_and_the_order_number_from_the_conversation(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var id = await TemplateAsync(parley, new
        {
            brandId = w.Brand, name = "Order delayed",
            text = "Hi {customer.firstName}, {agent.firstName} from {brand.name} here. Order {conversation.orderNumber} ships tomorrow.",
        });
        var conversation = await w.CustomerTweetsAsync("where is my order #A-99812? it is late", "1", "dana");
        var maria = await w.SignInAsync("maria@example.com");

        var rendered = await maria.GetJsonAsync($"/api/v1/templates/{id}/render?conversationId={conversation}");

        Assert.Equal("Hi DANA, Maria from Acme here. Order A-99812 ships tomorrow.", rendered.GetProperty("text").GetString());
        Assert.Empty(rendered.GetProperty("missing").EnumerateArray());

        var noOrder = await w.CustomerTweetsAsync("hello", "2", "eli");
        var partial = await maria.GetJsonAsync($"/api/v1/templates/{id}/render?conversationId={noOrder}");
        Assert.Contains("Order {conversation.orderNumber} ships", partial.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("conversation.orderNumber", Assert.Single(partial.GetProperty("missing").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Agents_find_their_brands_and_teams_templates_by_words_and_only_leads_change_them()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        await w.PersonAsync("Maria", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee", "lee@example.com", "lead", care);
        await TemplateAsync(parley, new { brandId = w.Brand, name = "Greeting", text = "Hi {customer.firstName}, thanks for reaching out." });
        await TemplateAsync(parley, new { brandId = w.Brand, teamId = care, name = "Lost bag", text = "Sorry about your bag, {customer.firstName}." });
        await TemplateAsync(parley, new { brandId = w.Brand, teamId = billing, name = "Refund issued", text = "Your refund is on its way." });
        var other = await parley.CreateBrandAsync("Other");
        await TemplateAsync(parley, new { brandId = other, name = "Other greeting", text = "Hello." });
        var maria = await w.SignInAsync("maria@example.com");

        Assert.Equal(["Greeting", "Lost bag"], Names(await maria.GetJsonAsync("/api/v1/templates")));
        Assert.Equal(["Lost bag"], Names(await maria.GetJsonAsync("/api/v1/templates?q=BAG")));
        Assert.Equal(["Greeting"], Names(await maria.GetJsonAsync("/api/v1/templates?q=thanks%20reaching")));
        Assert.Empty(Names(await maria.GetJsonAsync("/api/v1/templates?q=refund")));

        var refused = await maria.PostAsync("/api/v1/templates", new { brandId = w.Brand, name = "Mine", text = "Hi" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var lead = await w.SignInAsync("lee@example.com");
        Assert.Equal(["Greeting", "Lost bag", "Refund issued"], Names(await lead.GetJsonAsync("/api/v1/templates")));
        var created = await lead.PostAsync("/api/v1/templates", new { brandId = w.Brand, teamId = care, name = "Delay", text = "We are on it, {customer.firstName}." });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var changed = await lead.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/templates/{id}")
        {
            Content = JsonContent.Create(new { name = "Delay, sorry", text = "Sorry for the wait, {customer.firstName}.", teamId = care }),
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Contains("Delay, sorry", Names(await maria.GetJsonAsync("/api/v1/templates?q=wait")));
        Assert.Equal(HttpStatusCode.NoContent, (await lead.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/templates/{id}"))).StatusCode);
        Assert.Empty(Names(await maria.GetJsonAsync("/api/v1/templates?q=wait")));
    }

    [Fact]
    public async Task A_template_with_an_unknown_variable_or_another_brands_team_is_refused()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var other = await parley.CreateBrandAsync("Other");
        var foreign = await w.TeamAsync("Foreign", other);

        var response = await parley.Client.PostAsJsonAsync("/api/v1/templates", new { brandId = w.Brand, teamId = foreign, name = "", text = "Hi {customer.nmae}" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("{customer.nmae}", errors.GetProperty("text")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("teamId", out _));
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.Empty(await parley.WithDbAsync(db => Task.FromResult(db.Templates.ToList())));
    }
}
