using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;

namespace Parley.Tests.Platform.Webhooks;

public static class WebhookSetup
{
    public sealed record Subscribed(Guid AppId, Guid SubscriptionId, string Secret, Guid Owner);

    /// <summary>Retries in tenths of a second instead of hours.</summary>
    public static Dictionary<string, string?> FastRetries(int maxAttempts, int pauseAfterFailures = 100_000, string firstRetry = "00:00:00.100",
        string maxBackoff = "00:00:00.400", string attemptTimeout = "00:00:01") => new()
    {
        ["Parley:Webhooks:FirstRetry"] = firstRetry,
        ["Parley:Webhooks:MaxBackoff"] = maxBackoff,
        ["Parley:Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Webhooks:AttemptTimeout"] = attemptTimeout,
        ["Parley:Webhooks:PollInterval"] = "00:00:00.050",
        ["Parley:Webhooks:PauseAfterFailures"] = pauseAfterFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Webhooks:PauseAfterFailingFor"] = "00:00:00",
        // The receiver is on 127.0.0.1, which production refuses.
        ["Parley:Webhooks:AllowPrivateAddresses"] = "true",
    };

    public static async Task<Subscribed> SubscribeAsync(TestParley parley, string url, string[] events, Guid? brandId = null, string ownerEmail = "owner@example.com")
    {
        var owner = await AppKeys.OwnerAsync(parley, ownerEmail);
        var app = await AppKeys.CreateAsync(parley, owner, ["events:read"], name: "Logistics");
        var response = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks", new { url, events, brandId });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement;
        return new Subscribed(app.AppId, body.GetProperty("subscription").GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!, owner);
    }

    /// <summary>Something changed in a conversation: an event committed on its own, as a use case would.</summary>
    public static async Task<Guid> AppendAsync(TestParley parley, string type, Guid conversation, Guid? brandId, int step)
    {
        await using var scope = parley.Scope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var e = db.Append(type, $"conversations/{conversation}", brandId, new { conversationId = conversation, step }, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<EventSignal>().Pulse();
        return e.Id;
    }

    /// <summary>Several changes to one conversation committed together, so the fan-out queues them in one go.</summary>
    public static async Task<List<Guid>> AppendTogetherAsync(TestParley parley, string type, Guid conversation, Guid? brandId, int steps)
    {
        await using var scope = parley.Scope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var events = Enumerable.Range(0, steps)
            .Select(step => db.Append(type, $"conversations/{conversation}", brandId, new { conversationId = conversation, step }, DateTimeOffset.UtcNow)).ToList();
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<EventSignal>().Pulse();
        return events.Select(e => e.Id).ToList();
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(TestParley parley, Subscribed s, string? state = null) =>
        (await parley.GetJsonAsync($"/api/v1/apps/{s.AppId}/webhooks/{s.SubscriptionId}/deliveries?limit=500" + (state is null ? "" : "&state=" + state)))
        .GetProperty("items").EnumerateArray().ToList();

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
