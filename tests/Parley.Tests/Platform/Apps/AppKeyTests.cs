using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Apps;

public sealed class AppKeyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_key_does_what_its_scopes_allow_and_is_refused_the_rest_naming_the_missing_scope(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var conversation = await w.CustomerTweetsAsync("where is my parcel?");
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["conversations:read"]);
        using var client = AppKeys.ClientFor(parley, app.Key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/conversations/{conversation}")).StatusCode);

        var refused = await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "On its way" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("messages:send", problem.GetProperty("requiredScope").GetString());
        Assert.Contains("messages:send", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/brands")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/apps")).StatusCode);
        // Nothing was sent: the refused reply left no message behind.
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count(m => m.ConversationId == conversation))));

        // Scopes live on the app: granting one works for the key it already has.
        var patch = await parley.Client.PatchAsJsonAsync($"/api/v1/apps/{app.AppId}", new { scopes = new[] { "conversations:read", "messages:send" } });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var sent = await client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "On its way" });
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_key_limited_to_one_brand_cannot_see_or_change_another_brands_conversations(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var ours = await w.CustomerTweetsAsync("ours", "1", "ana");
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        var theirs = await w.CustomerTweetsAsync("theirs", "2", "ben", channel: otherChannel);
        var theirContact = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Where(c => c.Id == theirs).Select(c => c.ContactId).Single()));
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley),
            ["conversations:read", "conversations:write", "contacts:read", "contacts:write"], [w.Brand]);
        using var client = AppKeys.ClientFor(parley, app.Key);

        var listed = (await client.GetFromJsonAsync<JsonElement>("/api/v1/conversations?limit=100")).GetProperty("items")
            .EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([ours], listed);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/conversations/{ours}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/conversations/{theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/conversations/{theirs}/resolve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/contacts/{theirContact}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/v1/contacts/{theirContact}/facts", new { value = 10 })).StatusCode);
        Assert.Equal("open", (await parley.GetJsonAsync($"/api/v1/conversations/{theirs}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_rotated_key_keeps_working_for_the_overlap_and_a_revoked_one_stops_at_once()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(clock: clock);
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["conversations:read"]);
        using var old = AppKeys.ClientFor(parley, app.Key);

        var rotated = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/keys", new { overlapMinutes = 60 });
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var fresh = body.GetProperty("key");
        Assert.Equal(app.KeyId, body.GetProperty("replaced")[0].GetProperty("id").GetGuid());
        using var client = AppKeys.ClientFor(parley, fresh.GetProperty("key").GetString()!);

        Assert.Equal(HttpStatusCode.OK, (await old.GetAsync("/api/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/conversations")).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/conversations")).StatusCode);

        // The secret is never shown again: the app lists keys by prefix only.
        var listed = await parley.GetJsonAsync($"/api/v1/apps/{app.AppId}");
        Assert.DoesNotContain(fresh.GetProperty("key").GetString()!, listed.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(2, listed.GetProperty("keys").GetArrayLength());

        var revoked = await parley.Client.DeleteAsync($"/api/v1/apps/{app.AppId}/keys/{fresh.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/conversations")).StatusCode);
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_Retry_After_and_other_keys_are_unaffected()
    {
        await using var parley = await TestParley.StartAsync();
        var owner = await AppKeys.OwnerAsync(parley);
        var slow = await AppKeys.CreateAsync(parley, owner, ["conversations:read"], rateLimitPerMinute: 3);
        var other = await AppKeys.CreateAsync(parley, owner, ["conversations:read"], rateLimitPerMinute: 3, name: "Logistics");
        using var client = AppKeys.ClientFor(parley, slow.Key);
        using var otherClient = AppKeys.ClientFor(parley, other.Key);

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/conversations")).StatusCode);
        var limited = await client.GetAsync("/api/v1/conversations");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After was {limited.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/v1/conversations")).StatusCode);
        // The installation's admin key has no limit.
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await parley.Client.GetAsync("/api/v1/conversations")).StatusCode);
    }

    [Fact]
    public async Task Bad_app_settings_are_refused_whole_and_a_deleted_apps_keys_stop_working()
    {
        await using var parley = await TestParley.StartAsync();
        var owner = await AppKeys.OwnerAsync(parley);
        var brand = await parley.CreateBrandAsync();

        async Task<JsonElement> Refused(object body)
        {
            var response = await parley.Client.PostAsJsonAsync("/api/v1/apps", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        Assert.True((await Refused(new { name = "X", ownerId = owner, scopes = new[] { "conversations:delete" } })).TryGetProperty("scopes", out _));
        Assert.True((await Refused(new { name = "X", ownerId = owner, scopes = new[] { "admin" }, brandIds = new[] { brand } })).TryGetProperty("brandIds", out _));
        Assert.True((await Refused(new { name = "X", ownerId = Guid.NewGuid(), scopes = new[] { "events:read" } })).TryGetProperty("ownerId", out _));
        Assert.True((await Refused(new { name = "", ownerId = owner, scopes = new[] { "events:read" }, rateLimitPerMinute = 0 })).TryGetProperty("rateLimitPerMinute", out _));
        Assert.Empty((await parley.GetJsonAsync("/api/v1/apps")).EnumerateArray());

        var app = await AppKeys.CreateAsync(parley, owner, ["events:read"]);
        using var client = AppKeys.ClientFor(parley, app.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/events?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await parley.Client.DeleteAsync($"/api/v1/apps/{app.AppId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/events?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await parley.Client.GetAsync($"/api/v1/apps/{app.AppId}")).StatusCode);
    }
}
