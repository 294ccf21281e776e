using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Platform.Webhooks;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using static Parley.Tests.Platform.Webhooks.WebhookSetup;

namespace Parley.Tests.Platform.Webhooks;

/// <summary>A subscription URL must not make Parley call into its own network (SSRF): refused when subscribing,
/// and again at every connection, where DNS may answer differently than it did then.</summary>
public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("127.0.0.1"), InlineData("127.8.9.10"), InlineData("10.1.2.3"), InlineData("172.16.0.1"), InlineData("172.31.255.255"),
     InlineData("192.168.1.1"), InlineData("169.254.169.254"), InlineData("100.64.0.1"), InlineData("0.0.0.0"), InlineData("224.0.0.1"),
     InlineData("255.255.255.255"), InlineData("::1"), InlineData("::"), InlineData("fe80::1"), InlineData("fd00:ec2::254"),
     InlineData("::ffff:127.0.0.1"), InlineData("::ffff:169.254.169.254"), InlineData("64:ff9b::a9fe:a9fe")]
    public void Private_loopback_link_local_and_metadata_addresses_are_refused(string address) =>
        Assert.NotNull(WebhookAddresses.WhyRefused(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14"), InlineData("8.8.8.8"), InlineData("172.32.0.1"), InlineData("192.169.0.1"), InlineData("2606:4700::1111"), InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address) => Assert.Null(WebhookAddresses.WhyRefused(IPAddress.Parse(address)));

    [Fact]
    public async Task Subscribing_to_a_private_address_or_plain_http_is_refused_with_a_problem_naming_the_address()
    {
        await using var parley = await TestParley.StartAsync();
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["events:read"]);

        foreach (var (url, named) in new[]
        {
            ("https://127.0.0.1/hooks", "127.0.0.1"), ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
            ("https://10.0.0.7:8443/x", "10.0.0.7"), ("https://[::1]/x", "::1"), ("https://localhost/x", "localhost"),
            ("https://[::ffff:192.168.0.1]/x", "192.168.0.1"),
        })
        {
            var response = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks", new { url, events = new[] { "*" } });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(named, JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        }
        var http = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks", new { url = "http://example.com/x", events = new[] { "*" } });
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Contains("https", (await http.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await parley.GetJsonAsync($"/api/v1/apps/{app.AppId}/webhooks")).EnumerateArray());

        // Moving an existing subscription to a private address is refused the same way.
        var created = await parley.Client.PostAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks", new { url = "https://example.com/x", events = new[] { "*" } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription").GetProperty("id").GetGuid();
        var moved = await parley.Client.PatchAsJsonAsync($"/api/v1/apps/{app.AppId}/webhooks/{id}", new { url = "https://192.168.10.10/x" });
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Equal("https://example.com/x", (await parley.GetJsonAsync($"/api/v1/apps/{app.AppId}/webhooks/{id}")).GetProperty("url").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_subscription_whose_host_now_resolves_to_a_private_address_is_refused_at_connection_and_nothing_is_sent(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = FastRetries(maxAttempts: 2);
        settings["Parley:Webhooks:AllowPrivateAddresses"] = "false";
        await using var parley = await TestParley.StartAsync(provider, settings);
        var hook = await SubscribeAsync(parley, "https://example.com/hooks", ["conversation.*"]);
        // As if DNS now pointed the name at the receiver on this machine (rebinding): the stored URL changes
        // underneath the API's check, which only the connection-time check can catch.
        var local = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        await parley.WithDbAsync(db => db.WebhookSubscriptions.Where(s => s.Id == hook.SubscriptionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Url, local)));

        await AppendAsync(parley, "conversation.step", Guid.NewGuid(), null, 1);

        await UntilAsync(async () => (await DeliveriesAsync(parley, hook, "deadLettered")).Count == 1, "the delivery to be dead-lettered");
        var dead = (await DeliveriesAsync(parley, hook, "deadLettered")).Single();
        Assert.Contains("Refused: localhost resolves to", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }
}
