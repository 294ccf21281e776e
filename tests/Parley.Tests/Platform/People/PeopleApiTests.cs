using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.People;

public sealed class PeopleApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Admins_create_people_and_teams_and_bad_input_is_a_problem_naming_each_field(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var workspace = await Workspace.CreateAsync(parley);
        var care = await workspace.TeamAsync("Care");

        var bad = await parley.Client.PostAsJsonAsync("/api/v1/users", new { name = "", email = "not-an-email", role = "boss", password = "short", teamIds = new[] { Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "email", "role", "password", "teamIds" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var created = await parley.Client.PostAsJsonAsync("/api/v1/users", new { name = "Maria Lopez", email = "maria@example.com", teamIds = new[] { care } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var generated = body.GetProperty("generatedPassword").GetString()!;
        Assert.True(generated.Length >= 10);
        Assert.Equal("agent", body.GetProperty("user").GetProperty("role").GetString());
        Assert.Equal("maria", body.GetProperty("user").GetProperty("mention").GetString());
        await Session.SignInAsync(parley, "maria@example.com", generated);

        var duplicate = await parley.Client.PostAsJsonAsync("/api/v1/users", new { name = "Other", email = "MARIA@example.com", password = "long enough pw" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await parley.Client.PostAsJsonAsync("/api/v1/teams", new { name = "Care", brandId = workspace.Brand })).StatusCode);

        var teams = await parley.GetJsonAsync("/api/v1/teams");
        Assert.Equal([body.GetProperty("user").GetProperty("id").GetGuid()],
            teams.EnumerateArray().Single().GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));
    }

    [Fact]
    public async Task Agents_read_their_colleagues_but_only_admins_change_people_teams_channels_or_read_the_raw_log()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        var care = await workspace.TeamAsync("Care");
        var billing = await workspace.TeamAsync("Billing");
        var otherBrand = await parley.CreateBrandAsync("Other");
        var elsewhere = await workspace.TeamAsync("Elsewhere", otherBrand);
        await workspace.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await workspace.PersonAsync("Sam Carter", "sam@example.com", "agent", billing);
        await workspace.PersonAsync("Olaf Other", "olaf@example.com", "agent", elsewhere);
        var maria = await workspace.SignInAsync("maria@example.com");

        // Colleagues of her brand, not of other brands.
        var names = (await maria.GetJsonAsync("/api/v1/users")).EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Equal(["Maria Lopez", "Sam Carter"], names);
        Assert.Equal(["Billing", "Care"], (await maria.GetJsonAsync("/api/v1/teams")).EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        foreach (var (method, path, body) in new (string, string, object?)[]
        {
            ("POST", "/api/v1/users", new { name = "X", email = "x@example.com", password = "long enough pw" }),
            ("POST", "/api/v1/teams", new { name = "New", brandId = workspace.Brand }),
            ("POST", "/api/v1/brands", new { name = "Mine" }),
            ("GET", "/api/v1/channels", null),
            ("GET", "/api/v1/events", null),
            ("GET", "/api/v1/inbound/quarantine", null),
        })
        {
            var response = method == "GET" ? await maria.GetAsync(path) : await maria.PostAsync(path, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_demoted_or_disabled()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        var ada = await workspace.PersonAsync("Ada Admin", "ada@example.com", "admin");

        var demote = await parley.Client.PatchAsJsonAsync($"/api/v1/users/{ada}", new { role = "agent" });
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains("only active admin", await demote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await parley.Client.PatchAsJsonAsync($"/api/v1/users/{ada}", new { disabled = true })).StatusCode);

        await workspace.PersonAsync("Bea Admin", "bea@example.com", "admin");
        Assert.Equal(HttpStatusCode.OK, (await parley.Client.PatchAsJsonAsync($"/api/v1/users/{ada}", new { role = "lead" })).StatusCode);
    }

    [Fact]
    public async Task An_admin_session_manages_people_like_an_admin_key()
    {
        await using var parley = await TestParley.StartAsync();
        var workspace = await Workspace.CreateAsync(parley);
        await workspace.PersonAsync("Ada Admin", "ada@example.com", "admin");
        var ada = await workspace.SignInAsync("ada@example.com");

        var created = await ada.PostAsync("/api/v1/users", new { name = "Sam Carter", email = "sam@example.com", role = "lead", password = "long enough pw" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var events = await parley.GetJsonAsync("/api/v1/events?limit=1000");
        var logged = events.GetProperty("items").EnumerateArray().Last(e => e.GetProperty("type").GetString() == "user.created");
        Assert.Equal("Ada Admin", logged.GetProperty("data").GetProperty("by").GetString());
        Assert.DoesNotContain("long enough pw", logged.GetRawText(), StringComparison.Ordinal);
    }
}
