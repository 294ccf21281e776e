using Microsoft.Extensions.DependencyInjection;
using Parley.Channels.X;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Channels.X;

public sealed class XMentionsPollingTests
{
    [Fact]
    public async Task A_polled_account_reads_new_mentions_with_since_id_and_stores_each_once()
    {
        await using var network = await NetworkSimulator.StartAsync();
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync(apiBaseUrl: network.BaseAddress.ToString().TrimEnd('/'), accountId: "777", mode: "polling");
        var poller = parley.App.Services.GetRequiredService<XMentionsPoller>();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);

        network.QueueMention("777", new SimTweet("1500", "@acme my order never arrived", "42", "dana", "Dana", t0, AuthorFollowers: 48_000));
        await poller.PollAllAsync(CancellationToken.None);
        network.QueueMention("777", new SimTweet("1501", "@acme hello?? anyone", "42", "dana", "Dana", t0.AddMinutes(1), InReplyToId: "1500", AuthorFollowers: 48_100));
        await poller.PollAllAsync(CancellationToken.None);
        await poller.PollAllAsync(CancellationToken.None); // nothing new: no duplicate
        await parley.DrainInboundAsync();

        var mentionCalls = network.Calls.Where(c => c.Path == "/2/users/777/mentions").ToList();
        Assert.Equal(3, mentionCalls.Count);
        Assert.DoesNotContain("since_id", mentionCalls[0].Query, StringComparison.Ordinal);
        Assert.Contains("since_id=1500", mentionCalls[1].Query, StringComparison.Ordinal);
        Assert.Contains("since_id=1501", mentionCalls[2].Query, StringComparison.Ordinal);

        var list = await parley.GetJsonAsync("/api/v1/conversations");
        var conversation = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("dana", conversation.GetProperty("contact").GetProperty("handle").GetString());
        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation.GetProperty("id")}");
        Assert.Equal(["1500", "1501"], detail.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()));
        Assert.Equal(48_100, detail.GetProperty("contact").GetProperty("identities")[0].GetProperty("followers").GetInt32());
        Assert.NotEqual(Guid.Empty, channel);
    }
}
