using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Platform.Webhooks.WebhookSetup;

namespace Parley.Tests.Platform.Webhooks;

public sealed class WebhookSecretRotationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task During_a_rotations_overlap_deliveries_verify_with_the_old_or_the_new_secret_and_after_it_only_with_the_new(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var parley = await TestParley.StartAsync(provider, FastRetries(maxAttempts: 5));
        var hook = await SubscribeAsync(parley, receiver.Url, ["conversation.*"]);
        var conversation = Guid.NewGuid();
        var rotateUrl = $"/api/v1/apps/{hook.AppId}/webhooks/{hook.SubscriptionId}/secret";

        async Task<WebhookReceiver.Received> DeliveredAsync(int step)
        {
            var eventId = (await AppendAsync(parley, "conversation.step", conversation, null, step)).ToString();
            await UntilAsync(() => Task.FromResult(receiver.Requests.Any(r => r.EventId == eventId)), $"step {step} to arrive");
            return receiver.Requests.First(r => r.EventId == eventId);
        }

        var before = await DeliveredAsync(1);
        Assert.Single(V1s(before));

        var rotated = await parley.Client.PostAsJsonAsync(rotateUrl, new { overlapMinutes = 60 });
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var fresh = body.GetProperty("secret").GetString()!;
        Assert.NotEqual(hook.Secret, fresh);
        Assert.True(body.GetProperty("subscription").GetProperty("previousSecretExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(59));
        Assert.DoesNotContain(fresh, (await parley.GetJsonAsync($"/api/v1/apps/{hook.AppId}/webhooks/{hook.SubscriptionId}")).GetRawText(), StringComparison.Ordinal);

        var during = await DeliveredAsync(2);
        Assert.Equal(2, V1s(during).Count);
        var (valid, invalid) = await PythonHmac.VerifyAsync([
            (fresh, during.Signature, during.Body), (hook.Secret, during.Signature, during.Body), ("whsec_someone_else", during.Signature, during.Body)]);
        Assert.Equal((2, 1), (valid, invalid));

        // A rotation with no overlap ends the replaced secret at once (and with it the one before).
        var again = await parley.Client.PostAsJsonAsync(rotateUrl, new { overlapMinutes = 0 });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var newest = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var after = await DeliveredAsync(3);
        Assert.Single(V1s(after));
        (valid, invalid) = await PythonHmac.VerifyAsync([(newest, after.Signature, after.Body), (fresh, after.Signature, after.Body), (hook.Secret, after.Signature, after.Body)]);
        Assert.Equal((1, 2), (valid, invalid));

        var bad = await parley.Client.PostAsJsonAsync(rotateUrl, new { overlapMinutes = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static List<string> V1s(WebhookReceiver.Received r) =>
        r.Signature.Split(',').Where(p => p.StartsWith("v1=", StringComparison.Ordinal)).ToList();
}
