using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.VisualBasic.FileIO;
using Parley.Platform.Audit;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Audit;

/// <summary>The audit trail: what people and apps do is recorded with who, what, when and from where; it
/// cannot be changed; admins search and export it.</summary>
public sealed class AuditTrailTests
{
    private static async Task<List<JsonElement>> SearchAsync(TestParley parley, string query = "")
    {
        var page = await parley.GetJsonAsync("/api/v1/audit?limit=500" + query);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>The middleware writes after the response has gone out; the entry follows a moment later.</summary>
    private static async Task<JsonElement> EntryAsync(TestParley parley, Func<JsonElement, bool> match, string what) =>
        (await TestParley.EventuallyAsync(async () =>
        {
            var found = (await SearchAsync(parley)).Where(match).Take(1).ToList();
            return found.Count > 0 ? found : null;
        }, what))[0];

    private static HttpRequestMessage Post(string path, object body, string userAgent)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.UserAgent.ParseAdd(userAgent);
        return request;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_persons_and_an_apps_actions_are_recorded_with_who_what_and_where_and_refused_ones_with_their_status(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        var conversation = await w.CustomerTweetsAsync("my parcel never came");
        await w.AssignAsync(conversation, care);
        var session = await w.SignInAsync("maria@example.com");

        using (var note = await session.SendAsync(Post($"/api/v1/conversations/{conversation}/notes", new { text = "Checking with the depot, password hunter2" }, "AgentBrowser/1.0")))
            Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var byMaria = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "conversations.notes.create", "Maria's note in the audit");
        Assert.Equal("person", byMaria.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal(maria, byMaria.GetProperty("actor").GetProperty("id").GetGuid());
        Assert.Equal("maria@example.com", byMaria.GetProperty("actor").GetProperty("email").GetString());
        Assert.Equal("POST", byMaria.GetProperty("method").GetString());
        Assert.Equal("/api/v1/conversations/{id:guid}/notes", byMaria.GetProperty("route").GetString());
        Assert.Equal(conversation.ToString(), byMaria.GetProperty("targets").GetProperty("id").GetString());
        Assert.Equal(201, byMaria.GetProperty("status").GetInt32());
        Assert.Equal("AgentBrowser/1.0", byMaria.GetProperty("userAgent").GetString());
        // Bodies are never kept: what the note said (here, a password) is nowhere in the trail.
        Assert.DoesNotContain("hunter2", await parley.Client.GetStringAsync("/api/v1/audit/export?format=ndjson"));

        var owner = await AppKeys.OwnerAsync(parley);
        var app = await AppKeys.CreateAsync(parley, owner, ["contacts:write", "contacts:read"], [w.Brand], name: "Billing");
        using var billing = AppKeys.ClientFor(parley, app.Key);
        var contact = await parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.ContactId).SingleAsync());
        using (var facts = await billing.PutAsJsonAsync($"/api/v1/contacts/{contact}/facts", new { value = 1200, facts = new { plan = "gold" } }))
            Assert.Equal(HttpStatusCode.OK, facts.StatusCode);
        var byApp = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "contacts.facts.set", "the app's facts in the audit");
        Assert.Equal("app", byApp.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal(app.AppId, byApp.GetProperty("actor").GetProperty("id").GetGuid());
        Assert.Equal("Billing", byApp.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal(app.KeyId, byApp.GetProperty("actor").GetProperty("keyId").GetGuid());
        Assert.Equal(contact.ToString(), byApp.GetProperty("targets").GetProperty("id").GetString());

        // Refused: the app has no messages:send; the agent sends an invalid reply. Both are kept with their status.
        using (var refused = await billing.SendAsync(Post($"/api/v1/conversations/{conversation}/replies", new { text = "hi" }, "BillingBot/2")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var forbidden = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "conversations.replies.create"
            && e.GetProperty("actor").GetProperty("kind").GetString() == "app", "the refused reply in the audit");
        Assert.Equal(403, forbidden.GetProperty("status").GetInt32());
        Assert.Equal("BillingBot/2", forbidden.GetProperty("userAgent").GetString());
        using (var invalid = await session.PostAsync($"/api/v1/conversations/{conversation}/replies", new { text = "" }))
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await EntryAsync(parley, e => e.GetProperty("action").GetString() == "conversations.replies.create"
            && e.GetProperty("actor").GetProperty("kind").GetString() == "person" && e.GetProperty("status").GetInt32() == 400, "the invalid reply in the audit");

        // Sign-ins, failed and successful, by the address typed; the password is never kept.
        var (_, wrong) = await Session.TrySignInAsync(parley, "maria@example.com", "not her password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var failedSignIn = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "session.sign_in" && e.GetProperty("status").GetInt32() == 401, "the failed sign-in");
        Assert.Equal(maria, failedSignIn.GetProperty("actor").GetProperty("id").GetGuid());
        Assert.Equal("maria@example.com", failedSignIn.GetProperty("actor").GetProperty("email").GetString());
        await EntryAsync(parley, e => e.GetProperty("action").GetString() == "session.sign_in" && e.GetProperty("status").GetInt32() == 302, "the successful sign-in");
        Assert.DoesNotContain("not her password", await parley.Client.GetStringAsync("/api/v1/audit/export?format=csv"));
    }

    [Fact]
    public async Task Forwarded_addresses_are_believed_only_from_a_configured_proxy()
    {
        foreach (var (proxy, expected) in new[] { ((string?)null, "127.0.0.1"), ("127.0.0.1", "203.0.113.7") })
        {
            await using var parley = await TestParley.StartAsync(kestrel: true,
                settings: proxy is null ? null : new Dictionary<string, string?> { ["Parley:ForwardedHeaders:KnownProxies:0"] = proxy });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/brands") { Content = JsonContent.Create(new { name = "Forwarded" }) };
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using (var created = await parley.Client.SendAsync(request)) Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var entry = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "brands.create", "the brand's creation");
            Assert.Equal(expected, entry.GetProperty("remoteIp").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_database_refuses_to_change_or_delete_an_audit_entry(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        await parley.CreateBrandAsync("Audited");
        var entry = await EntryAsync(parley, e => e.GetProperty("action").GetString() == "brands.create", "the brand's creation");

        foreach (var sql in new[] { "UPDATE \"AuditEntries\" SET \"Status\" = 500", "DELETE FROM \"AuditEntries\"" })
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => parley.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql)));
            Assert.Contains("append-only", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        }
        var still = await parley.WithDbAsync(db => db.Set<AuditEntry>().SingleAsync(e => e.Id == entry.GetProperty("id").GetInt64()));
        Assert.Equal(201, still.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Admins_search_by_actor_action_target_time_and_text_page_newest_first_and_export_csv_and_ndjson(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care \"quoted\", with comma");
        await w.PersonAsync("Ada, \"the\" Admin", "ada@example.com", "admin");
        var ada = await w.SignInAsync("ada@example.com");
        var conversation = await w.CustomerTweetsAsync("where is my refund");
        using (var assigned = await ada.PostAsync($"/api/v1/conversations/{conversation}/assign", new { teamId = care }))
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        // An entry is written once its response has gone out: on a loaded machine the next request's could be first.
        await EntryAsync(parley, e => e.GetProperty("action").GetString() == "conversations.assign", "the assignment");
        using (var resolved = await ada.PostAsync($"/api/v1/conversations/{conversation}/resolve"))
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        await EntryAsync(parley, e => e.GetProperty("action").GetString() == "conversations.resolve", "the resolution");

        var byAda = await SearchAsync(parley, "&actor=ADA@EXAMPLE");
        Assert.Equal(["conversations.resolve", "conversations.assign", "session.sign_in"], byAda.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["conversations.resolve", "conversations.assign"],
            (await SearchAsync(parley, "&action=conversations.")).Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(2, (await SearchAsync(parley, $"&target={conversation}")).Count);
        Assert.Single(await SearchAsync(parley, "&q=RESOLVE"));
        var newest = byAda[0].GetProperty("at").GetDateTimeOffset();
        Assert.Empty(await SearchAsync(parley, $"&actor=ada&from={Uri.EscapeDataString(newest.AddSeconds(1).ToString("O"))}"));
        Assert.Equal(3, (await SearchAsync(parley, $"&actor=ada&to={Uri.EscapeDataString(newest.AddSeconds(1).ToString("O"))}")).Count);

        // Newest first, a page at a time, each entry once.
        var all = await SearchAsync(parley);
        var paged = new List<long>();
        string? cursor = null;
        do
        {
            var page = await parley.GetJsonAsync("/api/v1/audit?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextCursor").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        } while (cursor is not null);
        Assert.Equal(all.Select(e => e.GetProperty("id").GetInt64()), paged);
        Assert.Equal(paged.OrderDescending(), paged);

        var bad = await parley.Client.GetAsync("/api/v1/audit?from=yesterday&limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("from", out _) && errors.TryGetProperty("limit", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await parley.Client.GetAsync("/api/v1/audit/export?format=xml")).StatusCode);

        // CSV, read back with a real CSV parser: names with quotes and commas survive.
        var csvResponse = await parley.Client.GetAsync("/api/v1/audit/export?format=csv");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        using var parser = new TextFieldParser(new StringReader(await csvResponse.Content.ReadAsStringAsync())) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string>>();
        while (!parser.EndOfData) rows.Add(header.Zip(parser.ReadFields()!).ToDictionary(p => p.First, p => p.Second));
        Assert.True(rows.Count >= all.Count);
        var resolveRow = rows.Single(r => r["action"] == "conversations.resolve");
        Assert.Equal("Ada, \"the\" Admin", resolveRow["actorName"]);
        Assert.Equal("200", resolveRow["status"]);
        Assert.Equal($"id={conversation}", resolveRow["targets"]);

        var ndjson = await parley.Client.GetStringAsync($"/api/v1/audit/export?format=ndjson&to={Uri.EscapeDataString(newest.AddSeconds(1).ToString("O"))}");
        var lines = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(lines, l => l.GetProperty("action").GetString() == "conversations.assign" && l.GetProperty("actor").GetProperty("name").GetString() == "Ada, \"the\" Admin");
        Assert.Equal(lines.Select(l => l.GetProperty("id").GetInt64()).Order(), lines.Select(l => l.GetProperty("id").GetInt64()));

        // The exports are themselves in the trail, with their format.
        var exports = await TestParley.EventuallyAsync(async () =>
        {
            var found = await SearchAsync(parley, "&action=audit.export");
            return found.Count >= 3 ? found : null;
        }, "the exports in the audit");
        Assert.Contains(exports, e => e.GetProperty("detail").GetProperty("format").GetString() == "ndjson" && e.GetProperty("status").GetInt32() == 200);
        Assert.Contains(exports, e => e.GetProperty("detail").GetProperty("format").GetString() == "xml" && e.GetProperty("status").GetInt32() == 400);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refusals_of_callers_not_signed_in_are_kept_up_to_a_limit_per_address_and_the_rest_counted_in_one_entry(string provider)
    {
        // The window is the test's clock's, so a slow machine cannot end it half-way through the burst (it did: 4 of
        // 7 counted, the rest in a second window); the flusher still wakes on real time, every half second here.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(provider, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Parley:Audit:RefusalsPerAddress"] = "3",
            ["Parley:Audit:Window"] = "00:00:02",
        }, clock: clock);
        using var stranger = parley.AnonymousClient();
        for (var i = 0; i < 10; i++)
            using (var refused = await stranger.PostAsJsonAsync("/api/v1/brands", new { name = "Not yours" }))
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // A signed-in caller's refusals are all kept, however many.
        for (var i = 0; i < 5; i++)
            using (var invalid = await parley.Client.PostAsJsonAsync("/api/v1/brands", new { name = "" }))
                Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        // The window ends; the flusher writes the count without waiting for another refusal.
        clock.Advance(TimeSpan.FromSeconds(3));
        var summary = await EntryAsync(parley, e => e.GetProperty("action").GetString() == RefusalThrottle.SuppressedAction, "the count of suppressed refusals");
        Assert.Equal(7, summary.GetProperty("detail").GetProperty("refusals").GetInt32());
        Assert.Equal("127.0.0.1", summary.GetProperty("remoteIp").GetString());
        Assert.Equal("anonymous", summary.GetProperty("actor").GetProperty("kind").GetString());
        var entries = await SearchAsync(parley, "&action=brands.create");
        Assert.Equal(3, entries.Count(e => e.GetProperty("status").GetInt32() == 401));
        Assert.Equal(5, entries.Count(e => e.GetProperty("status").GetInt32() == 400));
    }

    [Fact]
    public void Action_names_come_from_the_route()
    {
        Assert.Equal("conversations.replies.create", Name("POST", "/api/v1/conversations/{id:guid}/replies"));
        Assert.Equal("conversations.assign", Name("POST", "/api/v1/conversations/{id:guid}/assign"));
        Assert.Equal("apps.keys.delete", Name("DELETE", "/api/v1/apps/{id:guid}/keys/{keyId:guid}"));
        Assert.Equal("users.update", Name("PATCH", "/api/v1/users/{id:guid}"));
        Assert.Equal("brands.create", Name("POST", "/api/v1/brands/"));
        Assert.Equal("webhooks.deliveries.redeliver", Name("POST", "/api/v1/webhooks/{id:guid}/deliveries/{deliveryId:guid}/redeliver"));

        static string Name(string method, string pattern) => AuditMiddleware.ActionName(method,
            new Microsoft.AspNetCore.Routing.RouteEndpoint(_ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(pattern), 0, null, null),
            new Microsoft.AspNetCore.Http.PathString(pattern));
    }
}
