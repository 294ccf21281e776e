using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Promises;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Promises;

/// <summary>Policies through the API, clocks on real conversations, and the sweep that announces breaches once.</summary>
public sealed class ServiceLevelApiTests
{
    private static async Task<Guid> CustomerTweetsAsync(TestParley parley, Guid channel, string id, string user, DateTimeOffset at)
    {
        var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme where is my refund", new SimXUser(user, "u" + user, "User " + user), at));
        Assert.Equal(HttpStatusCode.OK, (await parley.PostXWebhookAsync(channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        await parley.DrainInboundAsync();
        var list = await parley.GetJsonAsync("/api/v1/conversations?limit=200");
        return list.GetProperty("items").EnumerateArray().First(c => c.GetProperty("contact").GetProperty("handle").GetString() == "u" + user)
            .GetProperty("id").GetGuid();
    }

    private static async Task<Guid> PolicyAsync(TestParley parley, Guid brand, object extra)
    {
        var body = JsonSerializer.SerializeToNode(extra, JsonSerializerOptions.Web)!.AsObject();
        body["brandId"] = brand;
        body["name"] ??= "X mentions";
        var response = await parley.Client.PostAsJsonAsync("/api/v1/service-levels", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<List<JsonElement>> ServiceLevelEventsAsync(TestParley parley) =>
        (await parley.AllEventsAsync())
            .Where(e => e.GetProperty("type").GetString()!.StartsWith("service_level.", StringComparison.Ordinal)
                && !e.GetProperty("type").GetString()!.StartsWith("service_level.policy", StringComparison.Ordinal)).ToList();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_breach_and_a_warning_are_announced_once_however_often_the_sweep_runs(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var brand = await parley.CreateBrandAsync();
        var channel = await parley.CreateXChannelAsync(brandId: brand);
        await PolicyAsync(parley, brand, new { channelKind = "x", timeToAcknowledge = "00:30:00", warningLeadTimes = new[] { "00:10:00" } });
        var late = await CustomerTweetsAsync(parley, channel, "9001", "1", DateTimeOffset.UtcNow.AddHours(-2));
        var soon = await CustomerTweetsAsync(parley, channel, "9002", "2", DateTimeOffset.UtcNow.AddMinutes(-25));
        var sweep = parley.App.Services.GetRequiredService<ServiceLevelSweep>();

        for (var i = 0; i < 3; i++) await sweep.RunOnceAsync(CancellationToken.None);

        var events = await ServiceLevelEventsAsync(parley);
        var breach = Assert.Single(events, e => e.GetProperty("type").GetString() == "service_level.breached");
        Assert.Equal(late, breach.GetProperty("data").GetProperty("conversationId").GetGuid());
        Assert.Equal("acknowledge", breach.GetProperty("data").GetProperty("clock").GetString());
        // The late one was also warned (the warning preceded the breach); the other only warned.
        Assert.Single(events, e => e.GetProperty("type").GetString() == "service_level.warning"
            && e.GetProperty("data").GetProperty("conversationId").GetGuid() == soon);

        var clocks = await parley.GetJsonAsync($"/api/v1/conversations/{soon}/clocks");
        var ack = clocks.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("clock").GetString() == "acknowledge");
        Assert.Equal("running", ack.GetProperty("state").GetString());
        Assert.Equal("X mentions", clocks.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task Replying_meets_the_acknowledge_clock()
    {
        await using var parley = await TestParley.StartAsync();
        var brand = await parley.CreateBrandAsync();
        var channel = await parley.CreateXChannelAsync(brandId: brand);
        await PolicyAsync(parley, brand, new { timeToAcknowledge = "00:30:00", timeToResolve = "1.00:00:00" });
        var conversation = await CustomerTweetsAsync(parley, channel, "9003", "3", DateTimeOffset.UtcNow.AddMinutes(-5));

        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "On it!", visibility = "public" });

        var clocks = (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}/clocks")).GetProperty("clocks").EnumerateArray().ToList();
        Assert.Equal("met", clocks.Single(c => c.GetProperty("clock").GetString() == "acknowledge").GetProperty("state").GetString());
        Assert.Equal("running", clocks.Single(c => c.GetProperty("clock").GetString() == "resolve").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_policy_with_an_unknown_time_zone_or_no_targets_is_refused_with_reasons()
    {
        await using var parley = await TestParley.StartAsync();
        var brand = await parley.CreateBrandAsync();

        var response = await parley.Client.PostAsJsonAsync("/api/v1/service-levels", new
        {
            brandId = brand, name = "Email", timeZoneId = "Mars/Olympus_Mons",
            week = new[] { new { day = "Monday", opens = "09:00", closes = "17:00" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("timeZoneId", out _));
        Assert.True(errors.TryGetProperty("targets", out _));
    }

    [Fact]
    public async Task Business_hours_round_trip_through_the_API()
    {
        await using var parley = await TestParley.StartAsync();
        var brand = await parley.CreateBrandAsync();
        var id = await PolicyAsync(parley, brand, new
        {
            name = "Email, office hours", timeToAcknowledge = "04:00:00", timeZoneId = "Europe/London",
            week = new[] { new { day = "Monday", opens = "09:00", closes = "17:30" } }, holidays = new[] { "2026-12-25" },
        });

        var policy = await parley.GetJsonAsync($"/api/v1/service-levels/{id}");
        Assert.Equal("Europe/London", policy.GetProperty("timeZoneId").GetString());
        Assert.Equal("17:30:00", policy.GetProperty("week")[0].GetProperty("closes").GetString());
        Assert.Equal("2026-12-25", policy.GetProperty("holidays")[0].GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_missed_queue_holds_unanswered_posts_oldest_first_and_offers_an_apology(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var channel = await parley.CreateXChannelAsync();
        var old = await CustomerTweetsAsync(parley, channel, "9101", "11", DateTimeOffset.UtcNow.AddDays(-3));
        var recent = await CustomerTweetsAsync(parley, channel, "9102", "12", DateTimeOffset.UtcNow.AddHours(-2));
        var answered = await CustomerTweetsAsync(parley, channel, "9103", "13", DateTimeOffset.UtcNow.AddHours(-5));
        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{answered}/replies", new { text = "Sorted!", visibility = "public" });

        var missed = (await parley.GetJsonAsync("/api/v1/queues/missed")).EnumerateArray().Select(m => m.GetProperty("conversationId").GetGuid()).ToList();
        Assert.Equal([old, recent], missed);

        var late = await parley.GetJsonAsync($"/api/v1/conversations/{old}/late-reply?reason=our%20team%20missed%20your%20message");
        Assert.True(late.GetProperty("late").GetBoolean());
        Assert.Contains("3 days", late.GetProperty("opening").GetString(), StringComparison.Ordinal);
        Assert.Contains("our team missed your message", late.GetProperty("opening").GetString(), StringComparison.Ordinal);
    }
}
