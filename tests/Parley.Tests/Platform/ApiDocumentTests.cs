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
    public async Task The_API_reference_page_is_served_at_docs()
    {
        await using var parley = await TestParley.StartAsync();
        var response = await parley.AnonymousClient().GetAsync("/docs");
        if (response.StatusCode == HttpStatusCode.Found) response = await parley.AnonymousClient().GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Parley API", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
