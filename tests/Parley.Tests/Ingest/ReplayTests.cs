using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

public sealed class ReplayTests
{
    [Fact]
    public async Task Replaying_a_processed_delivery_is_accepted_and_adds_no_duplicate_messages()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        await parley.DeliverAsync(channel, TweetDelivery(
            Tweet("8001", "456", "ana", "@zammadhq hello", T0),
            Tweet("8002", "123", BrandHandle, "@ana hi!", T0.AddMinutes(1), "8001", "456", "ana")));
        await parley.DrainInboundAsync();
        var id = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Single().Id));
        Assert.Equal(2, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));

        var replay = await parley.Client.PostAsync($"/api/v1/inbound/{id}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await parley.DrainInboundAsync();

        var delivery = await parley.GetJsonAsync($"/api/v1/inbound/{id}");
        Assert.Equal("processed", delivery.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal(2, delivery.GetProperty("summary").GetProperty("messageCount").GetInt32()); // the messages this delivery produced, counted once
        Assert.Equal(2, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Count())));
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.Events.Count(e => e.Type == "message.received"))));
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.Events.Count(e => e.Type == "conversation.created"))));
    }

    [Fact]
    public async Task Replaying_a_quarantined_delivery_is_a_conflict()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var body = TestParley.Utf8("""{"for_user_id":"123","tweet_create_events":{"not":"an array"}}""");
        var refused = await parley.PostXWebhookAsync(channel, body, Sign(body));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var id = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("quarantineId").GetInt64();

        var replay = await parley.Client.PostAsync($"/api/v1/inbound/{id}/replay", null);

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        var problem = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains("malformed", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        var delivery = await parley.GetJsonAsync($"/api/v1/inbound/{id}");
        Assert.Equal("quarantined", delivery.GetProperty("summary").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Replaying_an_unknown_delivery_is_not_found()
    {
        await using var parley = await TestParley.StartAsync();

        var replay = await parley.Client.PostAsync("/api/v1/inbound/424242/replay", null);

        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Contains("424242", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_refusals_are_served_as_problem_json()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync();
        var body = TestParley.Utf8("not json");
        var refused = await parley.PostXWebhookAsync(channel, body, Sign(body));
        var id = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("quarantineId").GetInt64();

        var conflict = await parley.Client.PostAsync($"/api/v1/inbound/{id}/replay", null);
        var missing = await parley.Client.PostAsync("/api/v1/inbound/424242/replay", null);

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
