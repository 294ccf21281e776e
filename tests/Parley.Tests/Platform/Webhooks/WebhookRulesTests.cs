using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Platform.Events;
using Parley.Platform.Webhooks;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;

namespace Parley.Tests.Platform.Webhooks;

public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("conversation.*", "conversation.assigned", true)]
    [InlineData("conversation.*", "conversations.assigned", false)]
    [InlineData("conversation.*", "conversation", false)]
    [InlineData("reply.sent", "reply.sent", true)]
    [InlineData("reply.sent", "reply.sent_later", false)]
    [InlineData("*", "anything.at_all", true)]
    public void Event_type_patterns_match_whole_families_or_exact_types(string pattern, string type, bool matches) =>
        Assert.Equal(matches, EventTypePatterns.Matches(pattern, type));

    [Theory]
    [InlineData("conversation.*", true)]
    [InlineData("*", true)]
    [InlineData("conv*", false)]
    [InlineData("*.assigned", false)]
    [InlineData("Conversation.Assigned", false)]
    [InlineData(".*", false)]
    public void Only_well_formed_patterns_are_accepted(string pattern, bool valid) => Assert.Equal(valid, EventTypePatterns.IsValid(pattern));

    [Fact]
    public void Filters_by_brand_and_channel_and_the_apps_brands_all_apply()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), channel = Guid.NewGuid();
        var e = new Event { Type = "conversation.assigned", BrandId = a, Subject = "conversations/x" };
        Assert.True(new SubscriptionTarget(Guid.NewGuid(), ["conversation.*"], a, channel, []).Wants(e, channel));
        Assert.False(new SubscriptionTarget(Guid.NewGuid(), ["conversation.*"], b, null, []).Wants(e, channel));
        Assert.False(new SubscriptionTarget(Guid.NewGuid(), ["conversation.*"], null, channel, []).Wants(e, Guid.NewGuid()));
        Assert.False(new SubscriptionTarget(Guid.NewGuid(), ["conversation.*"], null, null, [b]).Wants(e, null));
        Assert.False(new SubscriptionTarget(Guid.NewGuid(), ["*"], null, null, [a]).Wants(new Event { Type = "app.created" }, null));
    }

    [Fact]
    public void The_default_retry_schedule_spans_at_least_a_day()
    {
        var options = new WebhookOptions();
        Assert.InRange(Backoff.ShortestSchedule(options), TimeSpan.FromHours(24), TimeSpan.FromHours(30));
        for (var attempt = 1; attempt < options.MaxAttempts; attempt++)
        {
            var delay = Backoff.Delay(attempt, options, Random.Shared);
            Assert.InRange(delay, TimeSpan.FromSeconds(10), options.MaxBackoff * 1.25);
        }
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_whole_and_the_secret_is_shown_only_once()
    {
        await using var parley = await TestParley.StartAsync();
        var owner = await AppKeys.OwnerAsync(parley);
        var reader = await AppKeys.CreateAsync(parley, owner, ["events:read"]);
        var deaf = await AppKeys.CreateAsync(parley, owner, ["conversations:read"], name: "No events");

        async Task<JsonElement> Refused(Guid app, object body)
        {
            var response = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app}/webhooks", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        Assert.True((await Refused(reader.AppId, new { url = "ftp://example.com/x", events = new[] { "conversation.*" } })).TryGetProperty("url", out _));
        Assert.True((await Refused(reader.AppId, new { url = "https://example.com/x", events = new[] { "conv*" } })).TryGetProperty("events", out _));
        Assert.True((await Refused(deaf.AppId, new { url = "https://example.com/x", events = new[] { "conversation.*" } })).TryGetProperty("events", out _));
        Assert.Empty((await parley.GetJsonAsync($"/api/v1/apps/{reader.AppId}/webhooks")).EnumerateArray());

        var created = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{reader.AppId}/webhooks", new { url = "https://example.com/x", events = new[] { "conversation.*" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, (await parley.GetJsonAsync($"/api/v1/apps/{reader.AppId}/webhooks")).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apps_and_webhooks_operations_are_documented_with_a_summary()
    {
        await using var parley = await TestParley.StartAsync();
        var paths = JsonDocument.Parse(await parley.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        var expected = new[]
        {
            "/api/v1/apps", "/api/v1/apps/{id}", "/api/v1/apps/{id}/keys", "/api/v1/apps/{id}/keys/{keyId}",
            "/api/v1/apps/{appId}/webhooks", "/api/v1/apps/{appId}/webhooks/{id}", "/api/v1/apps/{appId}/webhooks/{id}/deliveries",
            "/api/v1/apps/{appId}/webhooks/{id}/deliveries/{deliveryId}/redeliver", "/api/v1/apps/{appId}/webhooks/{id}/secret",
            "/api/v1/apps/me/webhooks", "/api/v1/apps/me/webhooks/{id}", "/api/v1/apps/me/webhooks/{id}/secret",
            "/api/v1/apps/me/webhooks/{id}/deliveries", "/api/v1/apps/me/webhooks/{id}/deliveries/{deliveryId}/redeliver",
        };
        foreach (var path in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var operations), $"{path} is not in the document");
            foreach (var operation in operations.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name != "parameters"))
                Assert.True(operation.Value.TryGetProperty("summary", out var summary) && summary.GetString() is { Length: > 0 },
                    $"{operation.Name.ToUpperInvariant()} {path} has no summary");
        }
    }
}
