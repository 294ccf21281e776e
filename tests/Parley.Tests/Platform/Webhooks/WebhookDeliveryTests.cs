using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Platform.Webhooks.WebhookSetup;

namespace Parley.Tests.Platform.Webhooks;

public sealed class WebhookDeliveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_receiver_that_is_down_then_failing_and_slow_gets_every_event_once_accepted_in_order_per_conversation_and_correctly_signed(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await receiver.DownAsync();
        receiver.SlowFor = TimeSpan.FromSeconds(1.5);
        // Every fifth request fails with 500 and every fifth is too slow for the one-second attempt limit.
        receiver.MoodOf = n => (n % 5) switch { 1 => WebhookReceiver.Mood.Fail, 3 => WebhookReceiver.Mood.Slow, _ => WebhookReceiver.Mood.Ok };
        await using var parley = await TestParley.StartAsync(provider, FastRetries(maxAttempts: 60));
        var brand = await parley.CreateBrandAsync("Acme");
        var otherBrand = await parley.CreateBrandAsync("Other");
        var hook = await SubscribeAsync(parley, receiver.Url, ["conversation.*"], brand);

        var conversations = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        var wanted = new Dictionary<Guid, (Guid Conversation, int Step)>();
        for (var step = 0; step < 8; step++)
        {
            foreach (var c in conversations)
                wanted[await AppendAsync(parley, "conversation.step", c, brand, step)] = (c, step);
            await AppendAsync(parley, "template.step", conversations[0], brand, step);         // another family
            await AppendAsync(parley, "conversation.step", Guid.NewGuid(), otherBrand, step);  // another brand
        }
        await Task.Delay(1500);
        await receiver.UpAsync();

        await UntilAsync(async () => (await DeliveriesAsync(parley, hook, "delivered")).Count == wanted.Count, "every delivery to succeed", 90);

        var all = await DeliveriesAsync(parley, hook);
        Assert.Equal(wanted.Count, all.Count);
        Assert.Equal(wanted.Keys.ToHashSet(), all.Select(d => d.GetProperty("eventId").GetGuid()).ToHashSet());
        var requests = receiver.Requests.ToList();
        Assert.Contains(requests, r => r.Status == 500);
        Assert.True(all.Any(d => d.GetProperty("attempts").GetInt32() > 1), "no delivery needed a retry: the receiver's failures were not exercised");

        // Duplicates are only retries of the same delivery (same idempotency id, same event).
        Assert.All(requests.GroupBy(r => r.DeliveryId), g => Assert.Single(g.Select(r => r.EventId).Distinct()));
        // What the receiver accepted first, per conversation, is each step once and in order.
        var firstAccepted = requests.Where(r => r.Status == 200).GroupBy(r => r.DeliveryId).Select(g => g.First()).ToList();
        foreach (var c in conversations)
        {
            var steps = firstAccepted.Select(r => wanted[Guid.Parse(r.EventId)]).Where(w => w.Conversation == c).Select(w => w.Step).ToList();
            Assert.Equal(Enumerable.Range(0, 8), steps);
        }

        var cases = requests.Select(r => (hook.Secret, r.Signature, r.Body)).ToList();
        var (valid, invalid) = await PythonHmac.VerifyAsync(cases.Append((hook.Secret, requests[0].Signature, requests[0].Body.Replace("step", "stop", StringComparison.Ordinal))));
        Assert.Equal((cases.Count, 1), (valid, invalid));
        var envelope = JsonDocument.Parse(requests[0].Body).RootElement;
        Assert.Equal(requests[0].EventId, envelope.GetProperty("id").GetString());
        Assert.Equal("conversation.step", envelope.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_delivery_is_dead_lettered_after_its_last_try_and_redelivered_on_request_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Current = WebhookReceiver.Mood.Fail;
        await using var parley = await TestParley.StartAsync(settings: FastRetries(maxAttempts: 3, firstRetry: "00:00:00.050", maxBackoff: "00:00:00.100"));
        var hook = await SubscribeAsync(parley, receiver.Url, ["conversation.*"]);
        var conversation = Guid.NewGuid();
        var appended = await AppendTogetherAsync(parley, "conversation.step", conversation, null, 2);
        var (first, second) = (appended[0], appended[1]);

        await UntilAsync(async () => (await DeliveriesAsync(parley, hook, "deadLettered")).Count == 2, "both deliveries to be dead-lettered");

        var dead = await DeliveriesAsync(parley, hook, "deadLettered");
        Assert.All(dead, d => Assert.Equal((3, 500), (d.GetProperty("attempts").GetInt32(), d.GetProperty("lastStatusCode").GetInt32())));
        var requests = receiver.Requests.ToList();
        Assert.Equal(6, requests.Count);
        // The later event waited for the earlier one: three tries of the first, then three of the second.
        Assert.Equal([first, first, first, second, second, second], requests.Select(r => Guid.Parse(r.EventId)));

        receiver.Current = WebhookReceiver.Mood.Ok;
        var firstDelivery = dead.Single(d => d.GetProperty("eventId").GetGuid() == first).GetProperty("id").GetString();
        var redeliver = await parley.Client.PostAsync($"/api/v1/apps/{hook.AppId}/webhooks/{hook.SubscriptionId}/deliveries/{firstDelivery}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        await UntilAsync(async () => (await DeliveriesAsync(parley, hook, "delivered")).Count == 1, "the redelivery");

        var last = receiver.Requests.Last();
        Assert.Equal((firstDelivery, 200), (last.DeliveryId, last.Status));
        Assert.Single(await DeliveriesAsync(parley, hook, "deadLettered"));
        var again = await parley.Client.PostAsync($"/api/v1/apps/{hook.AppId}/webhooks/{hook.SubscriptionId}/deliveries/{Guid.NewGuid()}/redeliver", null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_paused_its_owner_told_and_nothing_is_lost_when_it_is_resumed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Current = WebhookReceiver.Mood.Fail;
        await using var parley = await TestParley.StartAsync(settings: FastRetries(maxAttempts: 1000, pauseAfterFailures: 3,
            firstRetry: "00:00:00.050", maxBackoff: "00:00:00.100"));
        var hook = await SubscribeAsync(parley, receiver.Url, ["conversation.*"]);
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++) events.Add(await AppendAsync(parley, "conversation.step", Guid.NewGuid(), null, i));

        var path = $"/api/v1/apps/{hook.AppId}/webhooks/{hook.SubscriptionId}";
        await UntilAsync(async () => (await parley.GetJsonAsync(path)).GetProperty("status").GetString() == "paused", "the endpoint to be paused");
        var tries = receiver.Requests.Count;
        await Task.Delay(600);
        Assert.Equal(tries, receiver.Requests.Count);
        Assert.Empty(await DeliveriesAsync(parley, hook, "deadLettered"));
        var told = await parley.WithDbAsync(db => Task.FromResult(db.Notifications.Where(n => n.UserId == hook.Owner && n.Kind == "webhook_paused").Select(n => n.Text).ToList()));
        Assert.Contains(receiver.Url, Assert.Single(told), StringComparison.Ordinal);

        receiver.Current = WebhookReceiver.Mood.Ok;
        var resumed = await parley.Client.PatchAsJsonAsync(path, new { paused = false });
        Assert.Equal("active", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await UntilAsync(async () => (await DeliveriesAsync(parley, hook, "delivered")).Count == 3, "the waiting deliveries");
        Assert.Equal(events.ToHashSet(), receiver.Requests.Where(r => r.Status == 200).Select(r => Guid.Parse(r.EventId)).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Deliveries_queued_before_a_restart_are_delivered_after_it(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await receiver.DownAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var events = new List<Guid>();
        Subscribed hook;
        await using (var before = await TestParley.StartAsync(provider, FastRetries(maxAttempts: 1000), database: database))
        {
            hook = await SubscribeAsync(before, receiver.Url, ["conversation.*"]);
            for (var i = 0; i < 5; i++) events.Add(await AppendAsync(before, "conversation.step", Guid.NewGuid(), null, i));
            await UntilAsync(async () => (await DeliveriesAsync(before, hook)).Count(d => d.GetProperty("attempts").GetInt32() > 0) == 5,
                "every delivery to have been tried against the dead endpoint");
        }
        await receiver.UpAsync();

        await using var after = await TestParley.StartAsync(provider, FastRetries(maxAttempts: 1000), database: database);
        await UntilAsync(async () => (await DeliveriesAsync(after, hook, "delivered")).Count == 5, "delivery after the restart");
        Assert.Equal(events.ToHashSet(), receiver.Requests.Select(r => Guid.Parse(r.EventId)).ToHashSet());
    }
}
