using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using static Parley.Tests.Platform.Webhooks.WebhookSetup;

namespace Parley.Tests.Platform.Webhooks;

public sealed class OwnWebhookTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_app_manages_its_own_subscriptions_and_reads_their_log_but_never_sees_another_apps(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var parley = await TestParley.StartAsync(provider, FastRetries(maxAttempts: 5));
        var owner = await AppKeys.OwnerAsync(parley);
        var logistics = await AppKeys.CreateAsync(parley, owner, ["events:read"], name: "Logistics");
        var billing = await AppKeys.CreateAsync(parley, owner, ["events:read"], name: "Billing");
        using var ours = AppKeys.ClientFor(parley, logistics.Key);
        using var theirs = AppKeys.ClientFor(parley, billing.Key);

        var created = await ours.PostAsJsonAsync("/api/v1/apps/me/webhooks", new { url = receiver.Url, events = new[] { "conversation.*" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("subscription").GetProperty("id").GetGuid();
        Assert.Equal(logistics.AppId, body.GetProperty("subscription").GetProperty("appId").GetGuid());
        Assert.StartsWith("whsec_", body.GetProperty("secret").GetString(), StringComparison.Ordinal);
        var billingHook = await theirs.PostAsJsonAsync("/api/v1/apps/me/webhooks", new { url = receiver.Url, events = new[] { "message.*" } });
        Assert.Equal(HttpStatusCode.Created, billingHook.StatusCode);

        // The admin's view and the app's own agree.
        Assert.Equal([id], (await ours.GetFromJsonAsync<JsonElement>("/api/v1/apps/me/webhooks")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal([id], (await parley.GetJsonAsync($"/api/v1/apps/{logistics.AppId}/webhooks")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));

        var eventId = await AppendAsync(parley, "conversation.step", Guid.NewGuid(), null, 1);
        await UntilAsync(async () => (await ours.GetFromJsonAsync<JsonElement>($"/api/v1/apps/me/webhooks/{id}/deliveries?state=delivered"))
            .GetProperty("items").GetArrayLength() == 1, "the delivery to be logged");
        var delivery = (await ours.GetFromJsonAsync<JsonElement>($"/api/v1/apps/me/webhooks/{id}/deliveries")).GetProperty("items")[0];
        Assert.Equal(eventId, delivery.GetProperty("eventId").GetGuid());
        var deliveryId = delivery.GetProperty("id").GetGuid();

        // Another app's key finds nothing of ours, whatever it tries.
        Assert.DoesNotContain(id, (await theirs.GetFromJsonAsync<JsonElement>("/api/v1/apps/me/webhooks")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        foreach (var (method, path, payload) in new (string, string, object?)[]
        {
            ("GET", $"/api/v1/apps/me/webhooks/{id}", null), ("PATCH", $"/api/v1/apps/me/webhooks/{id}", new { paused = true }),
            ("DELETE", $"/api/v1/apps/me/webhooks/{id}", null), ("GET", $"/api/v1/apps/me/webhooks/{id}/deliveries", null),
            ("POST", $"/api/v1/apps/me/webhooks/{id}/deliveries/{deliveryId}/redeliver", null), ("POST", $"/api/v1/apps/me/webhooks/{id}/secret", new { }),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = payload is null ? null : JsonContent.Create(payload) };
            using var response = await theirs.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered another app {(int)response.StatusCode}");
        }
        Assert.Equal("active", (await parley.GetJsonAsync($"/api/v1/apps/{logistics.AppId}/webhooks/{id}")).GetProperty("status").GetString());

        var paused = await ours.PatchAsJsonAsync($"/api/v1/apps/me/webhooks/{id}", new { paused = true, events = new[] { "conversation.*", "reply.sent" } });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var redelivered = await ours.PostAsync($"/api/v1/apps/me/webhooks/{id}/deliveries/{deliveryId}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redelivered.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ours.DeleteAsync($"/api/v1/apps/me/webhooks/{id}")).StatusCode);
        Assert.Empty((await ours.GetFromJsonAsync<JsonElement>("/api/v1/apps/me/webhooks")).EnumerateArray());

        // A person has no app of their own; the installation's admin key neither.
        Assert.Equal(HttpStatusCode.Forbidden, (await parley.Client.GetAsync("/api/v1/apps/me/webhooks")).StatusCode);
    }
}
