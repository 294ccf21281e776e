using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Routing;

/// <summary>Routing rules as data through the API, and new conversations landing in the queue the first matching rule names.</summary>
public sealed class RoutingRulesTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_new_conversation_lands_in_the_queue_of_the_first_rule_that_matches(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var billing = await w.TeamAsync("Billing");
        var spanish = await w.TeamAsync("Spanish");
        var urgent = await w.TeamAsync("Urgent");
        var care = await w.TeamAsync("Care");
        await w.RuleAsync(billing, "Money words", new { keywords = new[] { "refund", "invoice" } }, order: 1);
        await w.RuleAsync(spanish, "Spanish", new { language = "es" }, order: 2);
        await w.RuleAsync(urgent, "Safety first", new { minPriority = 60 }, order: 3);
        await w.RuleAsync(care, "Everything else on X", new { channelKind = "x" }, order: 10);
        await w.RuleAsync(billing, "Switched off", new { keywords = new[] { "hello" }, enabled = false }, order: 0);

        var refund = await w.CustomerTweetsAsync("where is my Refund?", "1", "ana");
        var hola = await w.CustomerTweetsAsync("hola, ¿dónde está mi pedido? gracias", "2", "ben");
        var fire = await w.CustomerTweetsAsync("there is smoke and a fire on the train, people are injured, help now", "3", "cleo");
        var hello = await w.CustomerTweetsAsync("hello, my app will not start", "4", "dev");
        var refunded = await w.CustomerTweetsAsync("I was refunded, thanks", "5", "eve");
        await parley.SettleAsync();

        var teams = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.ToDictionary(c => c.Id, c => c.TeamId)));
        Assert.Equal(billing, teams[refund]);
        Assert.Equal(spanish, teams[hola]);
        Assert.Equal(urgent, teams[fire]);
        Assert.Equal(care, teams[hello]);
        // Whole words only: "refunded" is not "refund".
        Assert.Equal(care, teams[refunded]);

        var routed = await parley.EventsOfTypeAsync("conversation.routed");
        Assert.Equal(5, routed.Count);
        var first = routed.Single(e => e.GetProperty("data").GetProperty("conversationId").GetGuid() == hola).GetProperty("data");
        Assert.Equal("Spanish", first.GetProperty("rule").GetString());
        Assert.Equal("es", first.GetProperty("language").GetString());
    }

    /// <summary>On SQLite placing a conversation writes under the lock webhook acknowledgements wait for: each placement
    /// takes its turn at the write gate (docs/adr/0042), and is made once when it gets it.</summary>
    [Fact]
    public async Task On_SQLite_the_router_waits_its_turn_at_the_write_gate_and_then_places_each_conversation_once()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var w = await Workspace.CreateAsync(parley);
        var billing = await w.TeamAsync("Billing");
        // Arrived before the brand had rules: not looked at until it has one.
        var refund = await w.CustomerTweetsAsync("where is my refund?", "1", "ana");

        // The new rule wakes the server's own worker, which waits at the gate too; passes on one node take turns.
        await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, async () =>
        {
            await w.RuleAsync(billing, "Money", new { keywords = new[] { "refund" } });
            return await parley.RouteNowAsync();
        });
        await parley.SettleAsync();

        Assert.Equal(billing, (await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Single(c => c.Id == refund)))).TeamId);
        Assert.Single(await parley.EventsOfTypeAsync("conversation.routed"));
    }

    [Fact]
    public async Task A_conversation_no_rule_matches_stays_in_the_brands_front_line_and_is_routed_once()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var billing = await w.TeamAsync("Billing");
        await w.RuleAsync(billing, "Money", new { keywords = new[] { "refund" } });

        var other = await w.CustomerTweetsAsync("my app crashes", "1", "ana");
        for (var i = 0; i < 3; i++) await parley.RouteNowAsync();

        var row = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Single(c => c.Id == other)));
        Assert.Null(row.TeamId);
        Assert.NotNull(row.RoutedAt);
        Assert.Empty(await parley.EventsOfTypeAsync("conversation.routed"));
    }

    [Fact]
    public async Task The_preview_says_where_a_post_would_land_and_why()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var billing = await w.TeamAsync("Billing");
        var rule = await w.RuleAsync(billing, "Money", new { keywords = new[] { "refund" }, channelKind = "x" });

        var match = await (await parley.Client.PostAsJsonAsync("/api/v1/routing-rules/preview",
            new { brandId = w.Brand, channelKind = "x", text = "I want my refund" })).Content.ReadFromJsonAsync<JsonElement>();
        var miss = await (await parley.Client.PostAsJsonAsync("/api/v1/routing-rules/preview",
            new { brandId = w.Brand, channelKind = "meta", text = "I want my refund" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(billing, match.GetProperty("teamId").GetGuid());
        Assert.Equal(rule, match.GetProperty("ruleId").GetGuid());
        Assert.Equal("en", match.GetProperty("language").GetString());
        Assert.Equal(JsonValueKind.Null, miss.GetProperty("teamId").ValueKind);
    }

    [Fact]
    public async Task Bad_rules_are_refused_with_reasons_and_only_leads_and_admins_change_rules()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var otherBrand = await parley.CreateBrandAsync("Other");
        var foreignTeam = await w.TeamAsync("Foreign", otherBrand);
        await w.PersonAsync("Maria", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee", "lee@example.com", "lead", care);

        var bad = await parley.Client.PostAsJsonAsync("/api/v1/routing-rules", new
        {
            brandId = w.Brand, teamId = foreignTeam, name = "", channelKind = "fax", language = "spanish", minPriority = 101,
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "teamId", "name", "channelKind", "language", "minPriority" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Empty(await parley.WithDbAsync(db => Task.FromResult(db.RoutingRules.ToList())));

        var agent = await w.SignInAsync("maria@example.com");
        var refused = await agent.PostAsync("/api/v1/routing-rules", new { brandId = w.Brand, teamId = care, name = "Mine" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        var lead = await w.SignInAsync("lee@example.com");
        var created = await lead.PostAsync("/api/v1/routing-rules", new { brandId = w.Brand, teamId = care, name = "Lead's rule" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var listed = await agent.GetJsonAsync("/api/v1/routing-rules");
        Assert.Equal("Lead's rule", Assert.Single(listed.EnumerateArray()).GetProperty("name").GetString());
        var elsewhere = await lead.PostAsync("/api/v1/routing-rules", new { brandId = otherBrand, teamId = foreignTeam, name = "Not mine" });
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
    }
}
