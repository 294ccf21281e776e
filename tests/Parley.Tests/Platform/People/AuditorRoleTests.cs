using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.People;

/// <summary>The auditor: sees what an admin sees (their brands' only, when in teams) and changes nothing,
/// on every endpoint the API has, found in the OpenAPI document so that tomorrow's endpoints are covered.</summary>
public sealed class AuditorRoleTests
{
    private static async Task<List<(string Method, string Path)>> ChangingOperationsAsync(TestParley parley)
    {
        var doc = JsonDocument.Parse(await parley.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement;
        return doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "post" or "put" or "patch" or "delete")
                .Select(o => (o.Name.ToUpperInvariant(), p.Name))).ToList();
    }

    [Fact]
    public async Task An_auditor_is_refused_every_change_with_403_and_reads_what_an_admin_reads_including_the_audit_trail()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var conversation = await w.CustomerTweetsAsync("my bag is lost");
        var auditor = await w.PersonAsync("Aud Itor", "auditor@example.com", "auditor");
        var session = await w.SignInAsync("auditor@example.com");

        var operations = await ChangingOperationsAsync(parley);
        Assert.True(operations.Count > 30, $"Only {operations.Count} changing operations found in the document");
        var failures = new List<string>();
        foreach (var (method, path) in operations)
        {
            // Real ids where there are any, so a refusal is the role and not a missing thing.
            var url = System.Text.RegularExpressions.Regex.Replace(path, "\\{[^}]+\\}", m => m.Value switch
            {
                "{id}" when path.StartsWith("/api/v1/conversations/", StringComparison.Ordinal) => conversation.ToString(),
                "{id}" when path.StartsWith("/api/v1/users/", StringComparison.Ordinal) => auditor.ToString(),
                "{id}" when path.StartsWith("/api/v1/brands/", StringComparison.Ordinal) => w.Brand.ToString(),
                _ when path.Contains("inbound", StringComparison.Ordinal) => "1",
                _ => Guid.NewGuid().ToString(),
            });
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method != "DELETE") request.Content = JsonContent.Create(new { });
            using var response = await session.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Forbidden) failures.Add($"{method} {path} answered {(int)response.StatusCode}: {text}");
            else if (JsonDocument.Parse(text).RootElement.GetProperty("title").GetString() != "Read-only role") failures.Add($"{method} {path}: {text}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal("open", (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("status").GetString());

        // Reads: the installation (brands, channels, apps), every conversation, and the audit trail, in which its refusals are.
        Assert.NotEmpty((await session.GetJsonAsync("/api/v1/brands")).EnumerateArray());
        Assert.NotEmpty((await session.GetJsonAsync("/api/v1/channels")).EnumerateArray());
        Assert.Single((await session.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray());
        var audit = await session.GetJsonAsync($"/api/v1/audit?actor={auditor}&limit=500");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("status").GetInt32() == 403);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/audit/export?format=csv")).StatusCode);
        // Signing out is not a change to anything but the auditor's own session.
        using var signOut = await session.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign-out") { Content = new FormUrlEncodedContent([]) });
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_auditor_in_a_brands_team_sees_that_brand_only_with_its_part_of_the_audit_trail_and_not_the_installation(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var ours = await w.CustomerTweetsAsync("ours", "1", "ana");
        var theirs = await w.CustomerTweetsAsync("theirs", "2", "ben", channel: otherChannel);
        var care = await w.TeamAsync("Care");
        var beaId = await w.PersonAsync("Bea Bound", "bea@example.com", "auditor", care);
        var bea = await w.SignInAsync("bea@example.com");
        // Membership binds her to the brand, not to its queue: nobody can hand her a conversation.
        using (var handed = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{ours}/assign", new { teamId = care, assigneeId = beaId }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, handed.StatusCode);
            Assert.Contains("Auditors", await handed.Content.ReadAsStringAsync());
        }

        var seen = (await bea.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([ours], seen);
        Assert.Equal(HttpStatusCode.NotFound, (await bea.GetAsync($"/api/v1/conversations/{theirs}")).StatusCode);
        foreach (var path in new[] { "/api/v1/brands", "/api/v1/apps" })
            Assert.Equal(HttpStatusCode.Forbidden, (await bea.GetAsync(path)).StatusCode);

        // The audit trail divides by brand: each entry carries the brand of what it was about (by the route's id, or by
        // the Location of what a POST created), and Bea sees her brand's entries only, none installation-wide.
        foreach (var conversation in new[] { ours, theirs })
            using (var resolved = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null))
                Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var all = await TestParley.EventuallyAsync(async () =>
        {
            var items = (await parley.GetJsonAsync("/api/v1/audit?limit=500")).GetProperty("items").EnumerateArray().ToList();
            return items.Count(e => e.GetProperty("action").GetString() == "conversations.resolve") == 2 ? items : null;
        }, "both resolutions in the audit trail");
        Guid? BrandOf(JsonElement e) => e.GetProperty("brandId").ValueKind == JsonValueKind.Null ? null : e.GetProperty("brandId").GetGuid();
        var resolutions = all.Where(e => e.GetProperty("action").GetString() == "conversations.resolve").ToDictionary(
            e => Guid.Parse(e.GetProperty("targets").GetProperty("id").GetString()!), BrandOf);
        Assert.Equal(w.Brand, resolutions[ours]);
        Assert.Equal(otherBrand, resolutions[theirs]);
        Assert.Equal(otherBrand, BrandOf(all.Single(e => e.GetProperty("action").GetString() == "channels.create" && BrandOf(e) == otherBrand)));
        Assert.Contains(all, e => e.GetProperty("action").GetString() == "users.create" && BrandOf(e) is null);

        var hers = (await bea.GetJsonAsync("/api/v1/audit?limit=500")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(hers);
        Assert.All(hers, e => Assert.Equal(w.Brand, BrandOf(e)));
        Assert.Contains(hers, e => e.GetProperty("action").GetString() == "conversations.resolve");
        var export = await bea.GetAsync("/api/v1/audit/export?format=ndjson");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var exported = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(exported);
        Assert.All(exported, e => Assert.Equal(w.Brand, BrandOf(e)));
        // An admin narrows by brand.
        var theirsOnly = (await parley.GetJsonAsync($"/api/v1/audit?limit=500&brand={otherBrand}")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(theirsOnly);
        Assert.All(theirsOnly, e => Assert.Equal(otherBrand, BrandOf(e)));
        Assert.Equal(HttpStatusCode.BadRequest, (await parley.Client.GetAsync("/api/v1/audit?brand=acme")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_person_in_teams_of_two_brands_works_in_both_and_sees_no_third(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var second = await parley.CreateBrandAsync("Second");
        var third = await parley.CreateBrandAsync("Third");
        var secondChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: second);
        var thirdChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: third);
        var first = await w.CustomerTweetsAsync("first brand", "1", "ana");
        var inSecond = await w.CustomerTweetsAsync("second brand", "2", "ben", channel: secondChannel);
        var inThird = await w.CustomerTweetsAsync("third brand", "3", "cy", channel: thirdChannel);
        var care = await w.TeamAsync("Care");
        var secondCare = await w.TeamAsync("Second care", second);
        await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care, secondCare);
        var lee = await w.SignInAsync("lee@example.com");

        var seen = (await lee.GetJsonAsync("/api/v1/conversations")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ToHashSet();
        Assert.True(seen.SetEquals([first, inSecond]), string.Join(", ", seen));
        Assert.Equal(HttpStatusCode.NotFound, (await lee.GetAsync($"/api/v1/conversations/{inThird}")).StatusCode);
        Assert.Equal(["Care", "Second care"], (await lee.GetJsonAsync("/api/v1/teams")).EnumerateArray().Select(t => t.GetProperty("name").GetString()).Order());
        // And acts in both.
        foreach (var conversation in new[] { first, inSecond })
        {
            using var note = await lee.PostAsync($"/api/v1/conversations/{conversation}/notes", new { text = "Looking into it." });
            Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        }
        using (var refused = await lee.PostAsync($"/api/v1/conversations/{inThird}/notes", new { text = "Not mine." }))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
