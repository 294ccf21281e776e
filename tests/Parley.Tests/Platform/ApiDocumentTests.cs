using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class ApiDocumentTests
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_public_endpoint()
    {
        await using var parley = await TestParley.StartAsync();

        var doc = JsonDocument.Parse(await parley.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var expected in new[]
        {
            "/api/v1/conversations", "/api/v1/conversations/{id}", "/api/v1/conversations/{id}/replies",
            "/api/v1/conversations/{id}/resolve", "/api/v1/conversations/{id}/reopen", "/api/v1/contacts/{id}",
            "/api/v1/channels", "/api/v1/events", "/api/v1/events/stream", "/api/v1/inbound/quarantine",
            "/webhooks/x/{channelId}", "/webhooks/meta/{channelId}",
        })
            Assert.Contains(expected, paths);
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Routing_timers_templates_and_service_levels_are_documented_with_a_summary_for_every_operation()
    {
        await using var parley = await TestParley.StartAsync();

        var paths = JsonDocument.Parse(await parley.AnonymousClient().GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");

        var expected = new[]
        {
            "/api/v1/queues", "/api/v1/queues/{teamId}", "/api/v1/queues/missed", "/api/v1/routing-rules", "/api/v1/routing-rules/{id}",
            "/api/v1/routing-rules/preview", "/api/v1/agents", "/api/v1/agents/me", "/api/v1/agents/me/status", "/api/v1/agents/{id}",
            "/api/v1/conversations/{id}/take", "/api/v1/timer-rules", "/api/v1/timer-rules/{id}", "/api/v1/conversations/{id}/timers",
            "/api/v1/templates", "/api/v1/templates/{id}", "/api/v1/templates/{id}/render", "/api/v1/templates/variables",
            "/api/v1/clocks", "/api/v1/conversations/{id}/clocks", "/api/v1/conversations/{id}/late-reply",
            "/api/v1/service-levels", "/api/v1/service-levels/{id}",
            // Apps acting in conversations (docs/adr/0017).
            "/api/v1/conversations/{id}/tags", "/api/v1/conversations/{id}/tags/{tag}", "/api/v1/conversations/{id}/proposals",
            "/api/v1/conversations/{id}/replies/{messageId}/approve", "/api/v1/conversations/{id}/replies/{messageId}/reject",
            "/api/v1/conversations/{id}/commands", "/api/v1/apps/{id}/commands", "/api/v1/apps/{id}/commands/{name}",
            "/api/v1/brands/{id}/app-replies", "/api/v1/knowledge", "/api/v1/knowledge/{id}",
        };
        foreach (var path in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var operations), $"{path} is not in the document");
            foreach (var operation in operations.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name != "parameters"))
                Assert.True(operation.Value.TryGetProperty("summary", out var summary) && summary.GetString() is { Length: > 0 },
                    $"{operation.Name.ToUpperInvariant()} {path} has no summary");
        }
    }

    [Fact]
    public async Task The_API_reference_page_is_served_at_docs()
    {
        await using var parley = await TestParley.StartAsync();
        var response = await parley.AnonymousClient().GetAsync("/docs");
        if (response.StatusCode == HttpStatusCode.Found) response = await parley.AnonymousClient().GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Parley API", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
