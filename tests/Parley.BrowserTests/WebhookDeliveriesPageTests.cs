using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.BrowserTests.Infrastructure;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.BrowserTests;

/// <summary>An admin finds a webhook delivery that failed every try in the settings and sends it again.</summary>
public sealed class WebhookDeliveriesPageTests(Chromium chromium)
{
    [Fact]
    public async Task An_admin_sees_a_dead_lettered_delivery_with_its_error_and_redelivers_it()
    {
        chromium.Require();
        // The app's endpoint, on this machine: failing with 500 until the test fixes it.
        var failing = true;
        var received = new List<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/hooks", (HttpRequest request) =>
        {
            lock (received) received.Add(request.Headers["Parley-Delivery-Id"].ToString());
            return Results.StatusCode(failing ? 500 : 200);
        });
        await receiver.StartAsync();

        await using var parley = await BrowserParley.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Webhooks:MaxAttempts"] = "1",
            ["Parley:Webhooks:PollInterval"] = "00:00:00.100",
            ["Parley:Webhooks:AllowPrivateAddresses"] = "true",
        });
        var ada = await parley.CreatePersonAsync("Ada Admin", "ada@parley.example", "admin");
        var app = await parley.PostAsync("/api/v1/apps", new { name = "Logistics", ownerId = ada.Id, scopes = new[] { "events:read" } });
        var appId = app.GetProperty("app").GetProperty("id").GetGuid();
        var hook = await parley.PostAsync($"/api/v1/apps/{appId}/webhooks", new { url = receiver.Urls.First() + "/hooks", events = new[] { "conversation.*" } });
        var hookId = hook.GetProperty("subscription").GetProperty("id").GetGuid();

        await using (var scope = parley.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            db.Append("conversation.noted", $"conversations/{Guid.NewGuid()}", parley.BrandId, new { text = "parcel re-sent" }, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            scope.ServiceProvider.GetRequiredService<EventSignal>().Pulse();
        }
        var deliveries = $"/api/v1/apps/{appId}/webhooks/{hookId}/deliveries";
        await UntilAsync(async () => (await parley.Admin.GetFromJsonAsync<JsonElement>(deliveries + "?state=deadLettered")).GetProperty("items").GetArrayLength() == 1);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, ada, "/settings/apps");
        var card = page.Locator(".app-card", new() { HasText = "Logistics" });
        await Assertions.Expect(card).ToContainTextAsync("events:read");
        await Assertions.Expect(card.Locator("table.keys tbody tr")).ToHaveCountAsync(1);
        var row = card.Locator("table.deliveries tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("conversation.noted");
        await Assertions.Expect(row).ToContainTextAsync("Dead-lettered");
        await Assertions.Expect(row).ToContainTextAsync("500");

        failing = false;
        await row.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Redeliver") }).ClickAsync();
        await UntilAsync(async () => (await parley.Admin.GetFromJsonAsync<JsonElement>(deliveries + "?state=delivered")).GetProperty("items").GetArrayLength() == 1);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".app-card table.deliveries tbody tr")).ToContainTextAsync("Delivered");
        lock (received) Assert.Equal(2, received.Count(id => id == received[0]));
        chromium.AssertNoScriptErrors();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "Timed out waiting for the webhook delivery.");
            await Task.Delay(100);
        }
    }
}
