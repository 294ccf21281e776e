using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Triage;

/// <summary>A brand's weights, topics and removal rules are its own to edit, and its open conversations are
/// recomputed when it does: the inbox re-ranks.</summary>
public sealed class TriageSettingsTests
{
    private static readonly object KettleRecall = new
    {
        topics = new[] { new { name = "Kettle recall", keywords = new[] { "aero 3000" }, priorityBoost = 60 } },
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_brand_topic_with_a_boost_re_ranks_the_inbox_and_removing_it_ranks_it_back(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var kettle = await w.TweetAsync(Customers.Person("1", "ana"), "a question about my Aero 3000 kettle", now.AddMinutes(-30));
        var angry = await w.TweetAsync(Customers.Person("2", "ben"), "my order never arrived and nobody answers, terrible service", now.AddMinutes(-20));
        Assert.Equal([angry, kettle], await parley.InboxAsync());

        var changed = await w.PutTriageAsync(KettleRecall);
        Assert.Equal(2, changed.GetProperty("version").GetInt32());
        Assert.True(changed.GetProperty("recompute").GetProperty("inline").GetBoolean());

        Assert.Equal([kettle, angry], await parley.InboxAsync());
        Assert.Equal([kettle, angry], (await parley.GetJsonAsync("/api/v1/conversations?sort=priority")).GetProperty("items")
            .EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList());
        var triage = await parley.TriageOfAsync(kettle);
        Assert.Equal("topic: Kettle recall", Customers.Reasons(triage)[0]);
        Assert.Contains("Kettle recall", Customers.Strings(triage.GetProperty("signals").GetProperty("topics")));
        var message = (await parley.GetJsonAsync($"/api/v1/conversations/{kettle}")).GetProperty("messages")[0];
        Assert.Contains("Kettle recall", Customers.Strings(message.GetProperty("signals").GetProperty("topics")));
        var events = await parley.AllEventsAsync();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "triage.settings_changed");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "triage.priority_changed"
            && e.GetProperty("data").GetProperty("conversationId").GetGuid() == kettle
            && e.GetProperty("data").GetProperty("by").GetString() == "triage settings v2");

        await w.PutTriageAsync(new { });
        Assert.Equal([angry, kettle], await parley.InboxAsync());
        var settings = await parley.GetJsonAsync($"/api/v1/brands/{w.Brand}/triage");
        Assert.Equal(3, settings.GetProperty("version").GetInt32());
        Assert.Equal(0, settings.GetProperty("settings").GetProperty("topics").GetArrayLength());
    }

    [Fact]
    public async Task Many_open_conversations_are_recomputed_in_the_background()
    {
        await using var parley = await TestParley.StartAsync(settings: new Dictionary<string, string?> { ["Parley:Triage:InlineRecomputeLimit"] = "0" });
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var kettle = await w.TweetAsync(Customers.Person("1", "ana"), "a question about my Aero 3000 kettle", now.AddMinutes(-30));
        var angry = await w.TweetAsync(Customers.Person("2", "ben"), "my order never arrived and nobody answers, terrible service", now.AddMinutes(-20));

        var changed = await w.PutTriageAsync(KettleRecall);
        Assert.False(changed.GetProperty("recompute").GetProperty("inline").GetBoolean());
        Assert.Equal(2, changed.GetProperty("recompute").GetProperty("pending").GetInt32());

        await TestParley.EventuallyAsync(async () => (await parley.InboxAsync())[0] == kettle ? "" : null, "the inbox to re-rank");
        Assert.Equal([kettle, angry], await parley.InboxAsync());
        var status = await parley.GetJsonAsync($"/api/v1/brands/{w.Brand}/triage");
        Assert.Equal(0, status.GetProperty("recompute").GetProperty("pending").GetInt32());
    }

    /// <summary>On SQLite a recompute's transaction holds the lock webhook acknowledgements wait for: it takes its turn
    /// at the write gate (docs/adr/0042), and re-ranks when it gets it.</summary>
    [Fact]
    public async Task On_SQLite_the_background_recompute_waits_its_turn_at_the_write_gate()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite,
            settings: new Dictionary<string, string?> { ["Parley:Triage:InlineRecomputeLimit"] = "0" });
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var kettle = await w.TweetAsync(Customers.Person("1", "ana"), "a question about my Aero 3000 kettle", now.AddMinutes(-30));
        var angry = await w.TweetAsync(Customers.Person("2", "ben"), "my order never arrived and nobody answers, terrible service", now.AddMinutes(-20));
        var recompute = parley.App.Services.GetRequiredService<Parley.Triage.TriageRecompute>();

        // The change wakes the server's own recompute, which waits at the gate too; passes take turns.
        await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, async () =>
        {
            await w.PutTriageAsync(KettleRecall);
            var settled = false;
            for (var i = 0; i < 100 && !settled; i++)
            {
                await recompute.RunOnceAsync(CancellationToken.None);
                settled = (await parley.GetJsonAsync($"/api/v1/brands/{w.Brand}/triage")).GetProperty("recompute").GetProperty("pending").GetInt32() == 0;
            }
            return settled;
        });

        Assert.Equal([kettle, angry], await parley.InboxAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Spam_leaves_the_inbox_by_the_brands_rule_and_returns_when_the_brand_keeps_spam(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var question = await w.TweetAsync(Customers.Person("1", "ana"), "when do you open on Sunday?", now.AddMinutes(-10));
        var spam = await w.TweetAsync(Customers.Person("2", "promo_bot"), "free followers giveaway, click here https://t.co/abc", now.AddMinutes(-30));

        Assert.Equal([question], await parley.InboxAsync());
        Assert.Equal([spam], await parley.InboxAsync("&removed=only"));
        var triage = await parley.TriageOfAsync(spam);
        Assert.True(triage.GetProperty("removed").GetBoolean());
        Assert.Equal(0, triage.GetProperty("priority").GetInt32());
        Assert.Equal(["spam"], Customers.Reasons(triage));
        Assert.Equal([spam], (await parley.GetJsonAsync("/api/v1/conversations?removed=true")).GetProperty("items")
            .EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList());

        await w.PutTriageAsync(new { removal = new { removeSpam = false } });
        Assert.Equal(2, (await parley.InboxAsync()).Count);
        Assert.Empty(await parley.InboxAsync("&removed=only"));

        // A brand's own blocked words make a post abusive; with removeAbuse it leaves the inbox.
        await w.PutTriageAsync(new { removal = new { removeAbuse = true, removeSpam = false, blockedTerms = new[] { "sunday" } } });
        Assert.Equal([spam], await parley.InboxAsync());
        Assert.Contains("blocked term", (await parley.GetJsonAsync($"/api/v1/conversations/{question}"))
            .GetProperty("messages")[0].GetProperty("signals").GetProperty("moderation").GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thank_you_after_a_resolution_needs_no_answer_and_leaves_the_conversation_resolved()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var dana = Customers.Person("4242", "dana");
        var (conversation, first) = await w.TweetWithIdAsync(dana, "where is my parcel?", DateTimeOffset.UtcNow.AddMinutes(-30));
        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "It arrives today.", visibility = "public" });
        (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null)).EnsureSuccessStatusCode();

        Assert.Equal(conversation, (await w.TweetWithIdAsync(dana, "thanks!", DateTimeOffset.UtcNow, inReplyTo: first)).Conversation);
        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        Assert.Equal("resolved", detail.GetProperty("state").GetString());
        var thanks = detail.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("direction").GetString() == "inbound");
        Assert.True(thanks.GetProperty("signals").GetProperty("moderation").GetProperty("noReplyNeeded").GetBoolean());
        Assert.Equal(["no reply needed"], Customers.Reasons(detail.GetProperty("triage")));

        // A brand that wants every thank-you back in the inbox says so.
        await w.PutTriageAsync(new { acknowledgementsKeepResolved = false });
        (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null)).EnsureSuccessStatusCode();
        await w.TweetWithIdAsync(dana, "thank you so much", DateTimeOffset.UtcNow, inReplyTo: first);
        Assert.Equal("acknowledged", (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_settings_are_rejected_whole_and_only_admins_and_the_brands_leads_change_them(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria Agent", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        var other = await parley.CreateBrandAsync("Other");
        var otherTeam = await w.TeamAsync("Elsewhere", other);
        await w.PersonAsync("Olga Lead", "olga@example.com", "lead", otherTeam);
        var path = $"/api/v1/brands/{w.Brand}/triage";

        async Task<JsonElement> Rejected(string json)
        {
            var response = await parley.Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        }

        var errors = await Rejected("""{"weights":{"negative":500},"topics":[{"name":"","keywords":[]}],"patienceWindow":"00:05:00","patienceMaxHold":"00:01:00","removal":{"abuseThreshold":0}}""");
        foreach (var field in new[] { "weights.negative", "topics[0].name", "topics[0]", "patienceMaxHold", "removal.abuseThreshold" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        await Rejected("""{"weights":{"negativ":20}}""");   // a misspelt weight is an error, not ignored
        await Rejected("""{"patienceWindow":"soon"}""");
        await Rejected("not json");
        await Rejected("""{"topics":[{"name":"A","keywords":["x"]},{"name":"a","keywords":["y"]}]}""");
        var unchanged = await parley.GetJsonAsync(path);
        Assert.Equal(1, unchanged.GetProperty("version").GetInt32());
        Assert.Equal(15, unchanged.GetProperty("settings").GetProperty("weights").GetProperty("negative").GetInt32());

        var maria = await w.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.OK, (await maria.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await maria.SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(new { }) })).StatusCode);
        var olga = await w.SignInAsync("olga@example.com");
        Assert.Equal(HttpStatusCode.NotFound, (await olga.SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(new { }) })).StatusCode);
        var lee = await w.SignInAsync("lee@example.com");
        var byLead = await lee.SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(new { weights = new { negative = 30 } }) });
        Assert.Equal(HttpStatusCode.OK, byLead.StatusCode);
        var saved = await parley.GetJsonAsync(path);
        Assert.Equal(30, saved.GetProperty("settings").GetProperty("weights").GetProperty("negative").GetInt32());
        Assert.Equal(60, saved.GetProperty("settings").GetProperty("weights").GetProperty("safety").GetInt32()); // omitted: the default
        Assert.Equal("Lee Lead", saved.GetProperty("updatedBy").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await parley.Client.GetAsync($"/api/v1/brands/{Guid.NewGuid()}/triage")).StatusCode);
    }
}
