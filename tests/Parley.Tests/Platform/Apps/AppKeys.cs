using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform.Apps;

/// <summary>Registers apps through the API, as an admin would, and makes clients that use their keys.</summary>
public static class AppKeys
{
    public sealed record Registered(Guid AppId, Guid KeyId, string Key);

    public static async Task<Guid> OwnerAsync(TestParley parley, string email = "owner@example.com")
    {
        var response = await parley.Client.PostAsJsonAsync("/api/v1/users", new { name = "App Owner", email, role = "admin", password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("id").GetGuid();
    }

    public static async Task<Registered> CreateAsync(TestParley parley, Guid owner, string[] scopes, Guid[]? brandIds = null,
        int? rateLimitPerMinute = null, string name = "Billing")
    {
        var response = await parley.Client.PostAsJsonAsync("/api/v1/apps", new { name, ownerId = owner, scopes, brandIds, rateLimitPerMinute });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement;
        return new Registered(body.GetProperty("app").GetProperty("id").GetGuid(), body.GetProperty("key").GetProperty("id").GetGuid(),
            body.GetProperty("key").GetProperty("key").GetString()!);
    }

    public static HttpClient ClientFor(TestParley parley, string key)
    {
        var client = parley.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
