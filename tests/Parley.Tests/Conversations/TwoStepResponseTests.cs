using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Conversations;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Conversations;

/// <summary>Acknowledge, then resolve: the states a conversation moves through, and their events.</summary>
public sealed class TwoStepResponseTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-1);

    private static async Task<(TestParley Parley, Guid Channel, Guid Conversation)> StartAsync(string provider, TimeProvider? clock = null)
    {
        var parley = await TestParley.StartAsync(provider, clock: clock);
        var channel = await parley.CreateXChannelAsync();
        await CustomerTweetsAsync(parley, channel, "5001", "my bag never arrived", T0);
        var list = await parley.GetJsonAsync("/api/v1/conversations");
        return (parley, channel, list.GetProperty("items")[0].GetProperty("id").GetGuid());
    }

    private static async Task CustomerTweetsAsync(TestParley parley, Guid channel, string id, string text, DateTimeOffset at, string? inReplyTo = null)
    {
        var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme " + text, new SimXUser("42", "dana", "Dana"), at, inReplyTo));
        Assert.Equal(HttpStatusCode.OK, (await parley.PostXWebhookAsync(channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        await parley.DrainInboundAsync();
    }

    private static async Task<string> StateAsync(TestParley parley, Guid conversation) =>
        (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("state").GetString()!;

    private static async Task<List<string>> ConversationEventsAsync(TestParley parley) =>
        (await parley.AllEventsAsync())
            .Select(e => e.GetProperty("type").GetString()!).Where(t => t.StartsWith("conversation.", StringComparison.Ordinal)).ToList();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_first_reply_acknowledges_once_and_resolving_is_a_separate_step(string provider)
    {
        var (parley, _, conversation) = await StartAsync(provider);
        await using var _ = parley;
        Assert.Equal("new", await StateAsync(parley, conversation));

        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "So sorry - checking now.", visibility = "public" });
        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        Assert.Equal("acknowledged", detail.GetProperty("state").GetString());
        Assert.Equal("open", detail.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("acknowledgedAt").ValueKind);

        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Found it: it is on the next flight.", visibility = "public" });
        await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null);

        Assert.Equal(["conversation.created", "conversation.acknowledged", "conversation.resolved"], await ConversationEventsAsync(parley));
    }

    [Fact]
    public async Task A_reply_the_brand_posted_outside_Parley_also_acknowledges()
    {
        var (parley, channel, conversation) = await StartAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        var body = XPayloads.TweetCreate("123", new SimTweetEvent("5002", "@dana we're on it", new SimXUser("123", "acme", "Acme"),
            T0.AddMinutes(5), "5001", new SimXUser("42", "dana", "Dana")));
        await parley.PostXWebhookAsync(channel, body, XWebhookSigner.Sign("DDD", body));
        await parley.DrainInboundAsync();

        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        Assert.Equal("acknowledged", detail.GetProperty("state").GetString());
        Assert.Equal(T0.AddMinutes(5).ToUnixTimeSeconds(), detail.GetProperty("acknowledgedAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Waiting_on_the_customer_ends_when_they_write()
    {
        var (parley, channel, conversation) = await StartAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "What is your booking code?", visibility = "public" });
        await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/wait", null);
        Assert.Equal("waiting_on_customer", await StateAsync(parley, conversation));
        Assert.Single((await parley.GetJsonAsync("/api/v1/conversations?state=waiting_on_customer")).GetProperty("items").EnumerateArray());

        await CustomerTweetsAsync(parley, channel, "5003", "it is XYZ123", T0.AddMinutes(10), "5001");

        Assert.Equal("acknowledged", await StateAsync(parley, conversation));
        Assert.Contains("conversation.customer_replied", await ConversationEventsAsync(parley));
    }

    [Fact]
    public async Task A_snooze_until_the_customer_writes_wakes_when_they_do()
    {
        var (parley, channel, conversation) = await StartAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        var snoozed = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/snooze", new { untilCustomerWrites = true });
        Assert.Equal("snoozed", (await snoozed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        await CustomerTweetsAsync(parley, channel, "5004", "any news?", T0.AddMinutes(20), "5001");

        Assert.Equal("new", await StateAsync(parley, conversation));
        Assert.Contains("conversation.woke", await ConversationEventsAsync(parley));
        var woke = (await parley.AllEventsAsync()).Single(e => e.GetProperty("type").GetString() == "conversation.woke");
        Assert.Equal("customer", woke.GetProperty("data").GetProperty("actor").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_snooze_until_a_time_wakes_when_the_time_has_passed_and_not_before()
    {
        // The server's clock is the test's: however slow the machine, the snooze ends when the test says.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var (parley, _, conversation) = await StartAsync(TestDatabase.Sqlite, clock);
        await using var _ = parley;
        var waker = parley.App.Services.GetRequiredService<WakeSnoozedConversations>();
        var snooze = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/snooze", new { until = clock.GetUtcNow().AddMinutes(30) });
        Assert.True(snooze.IsSuccessStatusCode, await snooze.Content.ReadAsStringAsync());

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await waker.RunOnceAsync(CancellationToken.None));
        Assert.Equal("snoozed", await StateAsync(parley, conversation));
        clock.Advance(TimeSpan.FromMinutes(2));
        // This pass or the server's own waker (it runs every few seconds) wakes it, once.
        await waker.RunOnceAsync(CancellationToken.None);
        Assert.Equal("new", await StateAsync(parley, conversation));
        var woke = (await parley.AllEventsAsync()).Single(e => e.GetProperty("type").GetString() == "conversation.woke");
        Assert.Equal("automation", woke.GetProperty("data").GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal(WakeSnoozedConversations.Name, woke.GetProperty("data").GetProperty("actor").GetProperty("name").GetString());
    }

    /// <summary>On SQLite waking writes under the lock webhook acknowledgements wait for: it takes its turn at the write
    /// gate (docs/adr/0042), and wakes each conversation once when it gets it.</summary>
    [Fact]
    public async Task On_SQLite_waking_waits_its_turn_at_the_write_gate_and_wakes_once()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var (parley, _, conversation) = await StartAsync(TestDatabase.Sqlite, clock);
        await using var _ = parley;
        var waker = parley.App.Services.GetRequiredService<WakeSnoozedConversations>();
        var snooze = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/snooze", new { until = clock.GetUtcNow().AddMinutes(30) });
        Assert.True(snooze.IsSuccessStatusCode, await snooze.Content.ReadAsStringAsync());

        // Moving the clock ticks the server's own waker too, which waits at the gate as well; whichever goes first wakes it.
        await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, () =>
        {
            clock.Advance(TimeSpan.FromMinutes(31));
            return waker.RunOnceAsync(CancellationToken.None);
        });

        Assert.Equal("new", await StateAsync(parley, conversation));
        Assert.Single(await parley.AllEventsAsync(), e => e.GetProperty("type").GetString() == "conversation.woke");
    }

    [Fact]
    public async Task A_snooze_into_the_past_is_refused()
    {
        var (parley, _, conversation) = await StartAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        var response = await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/snooze", new { until = DateTimeOffset.UtcNow.AddMinutes(-1) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("new", await StateAsync(parley, conversation));
    }

    [Fact]
    public void A_resolved_conversation_reopens_when_the_customer_writes_and_remembers_it_was_acknowledged()
    {
        var c = new Conversation { CreatedAt = T0 };
        Assert.Equal(["conversation.acknowledged"], c.BrandReplied(T0.AddMinutes(1)));
        Assert.Equal(["conversation.resolved"], c.Resolve(T0.AddMinutes(2)));
        Assert.Empty(c.Resolve(T0.AddMinutes(3)));
        Assert.Equal(["conversation.reopened"], c.CustomerWrote(T0.AddMinutes(4)));
        Assert.Equal(ConversationState.Acknowledged, c.State);
        Assert.Equal(ConversationStatus.Open, c.Status);
    }
}
