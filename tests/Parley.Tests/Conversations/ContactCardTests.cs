using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Simulator;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Triage;
using Parley.Tests.Web;

namespace Parley.Tests.Conversations;

/// <summary>The customer context card, through the API and embedded in another app's page.</summary>
public sealed class ContactCardTests
{
    private static Task<Guid> ContactOfAsync(TestParley parley, Guid conversation) =>
        parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.ContactId).SingleAsync());

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_card_shows_identities_open_conversations_with_their_clock_the_last_mood_promises_at_risk_and_facts(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var created = await parley.Client.PostAsJsonAsync("/api/v1/service-levels", new { brandId = w.Brand, name = "X mentions", timeToAcknowledge = "00:30:00" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ana = new SimXUser("4801", "ana_flies", "Ana Flies", FollowersCount: 48_000);
        var conversation = await w.TweetAsync(ana, "my flight was cancelled and nobody helps, this is awful", DateTimeOffset.UtcNow.AddHours(-2));
        var contact = await ContactOfAsync(parley, conversation);
        using (var facts = await parley.Client.PutAsJsonAsync($"/api/v1/contacts/{contact}/facts", new { value = 1200, facts = new { plan = "gold" } }))
            Assert.Equal(HttpStatusCode.OK, facts.StatusCode);

        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["contacts:read"], [w.Brand], name: "CRM");
        using var crm = AppKeys.ClientFor(parley, app.Key);
        var card = await crm.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact}/card");
        Assert.Equal("Ana Flies", card.GetProperty("displayName").GetString());
        var identity = Assert.Single(card.GetProperty("identities").EnumerateArray());
        Assert.Equal("ana_flies", identity.GetProperty("handle").GetString());
        Assert.Equal(48_000, identity.GetProperty("followers").GetInt32());
        var open = Assert.Single(card.GetProperty("openConversations").EnumerateArray());
        Assert.Equal(conversation, open.GetProperty("id").GetGuid());
        Assert.Equal("new", open.GetProperty("state").GetString());
        Assert.True(open.GetProperty("priority").GetInt32() > 0);
        Assert.Equal("breached", open.GetProperty("clock").GetProperty("urgency").GetString());
        Assert.Equal("acknowledge", open.GetProperty("clock").GetProperty("clock").GetString());
        Assert.Equal("negative", card.GetProperty("lastMood").GetProperty("sentiment").GetString());
        var promise = Assert.Single(card.GetProperty("promisesAtRisk").EnumerateArray());
        Assert.Equal(conversation, promise.GetProperty("conversationId").GetGuid());
        Assert.Equal("breached", promise.GetProperty("urgency").GetString());
        Assert.Equal(1200m, card.GetProperty("value").GetDecimal());
        Assert.Equal("gold", card.GetProperty("facts").GetProperty("plan").GetString());

        // Resolved: nothing open, nothing at risk; the mood is still what they last said.
        using (var resolved = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null)) Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        card = await crm.GetFromJsonAsync<JsonElement>($"/api/v1/contacts/{contact}/card");
        Assert.Empty(card.GetProperty("openConversations").EnumerateArray());
        Assert.Empty(card.GetProperty("promisesAtRisk").EnumerateArray());
        Assert.Equal("negative", card.GetProperty("lastMood").GetProperty("sentiment").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await crm.GetAsync($"/api/v1/contacts/{Guid.NewGuid()}/card")).StatusCode);
    }

    [Fact]
    public async Task The_embedded_card_needs_a_fresh_token_for_that_contact_frames_only_in_configured_origins_and_renders_hostile_text_inert()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(clock: clock, settings: new Dictionary<string, string?>
        {
            ["Parley:Embed:FrameAncestors:0"] = "https://crm.example.com",
            ["Parley:Embed:FrameAncestors:1"] = "https://evil.example.com; script-src *",
        });
        var w = await Workspace.CreateAsync(parley);
        var hostile = new SimXUser("666", "h4x", "<script>alert(1)</script><img src=x onerror=alert(2)>");
        var theirs = await w.TweetAsync(hostile, "</li><script>document.title='owned'</script> my order", clock.GetUtcNow().AddMinutes(-3));
        var other = await w.TweetAsync(new SimXUser("777", "calm", "Calm Customer"), "hello there", clock.GetUtcNow().AddMinutes(-2));
        var contact = await ContactOfAsync(parley, theirs);
        var otherContact = await ContactOfAsync(parley, other);

        var minted = await parley.Client.PostAsync($"/api/v1/contacts/{contact}/card/embed-token", null);
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var body = await minted.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(clock.GetUtcNow().AddMinutes(10), body.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.DoesNotContain(TestParley.AdminKey, body.GetProperty("url").GetString()!);

        using var browser = parley.AnonymousClient();
        var page = await browser.GetAsync(body.GetProperty("url").GetString());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'none'", csp);
        Assert.Contains("frame-ancestors https://crm.example.com", csp);
        Assert.DoesNotContain("evil", csp);
        Assert.DoesNotContain("script-src *", csp);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("my order", html);

        async Task<(HttpStatusCode Status, string Html)> Open(Guid id, string? t)
        {
            var r = await browser.GetAsync($"/embed/contacts/{id}" + (t is null ? "" : "?token=" + Uri.EscapeDataString(t)));
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        var wrongContact = await Open(otherContact, token);
        Assert.Equal(HttpStatusCode.Forbidden, wrongContact.Status);
        Assert.Contains("another customer", wrongContact.Html);
        Assert.DoesNotContain("Calm Customer", wrongContact.Html);
        var forged = await Open(contact, token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Contains("not valid", forged.Html);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Open(contact, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Open(contact, "not-a-token")).Status);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await Open(contact, token)).Status);
        clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await Open(contact, token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", expired.Html);
        Assert.DoesNotContain("h4x", expired.Html);
    }

    [Fact]
    public async Task Agents_cannot_hand_out_the_brands_whole_view_of_a_customer()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        var conversation = await w.CustomerTweetsAsync("hello");
        await w.AssignAsync(conversation, care);
        var contact = await ContactOfAsync(parley, conversation);

        var maria = await w.SignInAsync("maria@example.com");
        Assert.Equal(HttpStatusCode.OK, (await maria.GetAsync($"/api/v1/contacts/{contact}/card")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await maria.PostAsync($"/api/v1/contacts/{contact}/card/embed-token")).StatusCode);
        var lee = await w.SignInAsync("lee@example.com");
        Assert.Equal(HttpStatusCode.OK, (await lee.PostAsync($"/api/v1/contacts/{contact}/card/embed-token")).StatusCode);
    }
}
