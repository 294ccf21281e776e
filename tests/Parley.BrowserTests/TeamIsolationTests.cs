using System.Text.Json;
using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>An agent sees the conversations of their own teams (and their brand's unrouted ones), never another team's.</summary>
public sealed class TeamIsolationTests(Chromium chromium)
{
    [Fact]
    public async Task An_agent_cannot_open_another_teams_conversation_by_url_or_through_the_api()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var billing = await parley.CreateTeamAsync("Billing");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var sam = await parley.CreatePersonAsync("Sam Carter", "sam@parley.example", "agent", billing);
        var ours = await parley.CustomerTweetsAsync("my bag is lost", new SimXUser("1", "ana", "Ana"));
        var theirs = await parley.CustomerTweetsAsync("I was charged twice for booking QX7P2L", new SimXUser("2", "priya", "Priya Kapoor"));
        await parley.AssignAsync(ours, care);
        await parley.AssignAsync(theirs, billing);
        // Another brand's conversation, in no team's queue: visible only to that brand's people.
        var otherBrand = await parley.CreateBrandAsync("Other Air");
        var otherChannel = await parley.CreateXChannelAsync(otherBrand, accountId: "900000000000000002");
        var elsewhere = await parley.CustomerTweetsAsync("hello other brand", new SimXUser("3", "olaf", "Olaf"), channelId: otherChannel, forAccount: "900000000000000002");

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria);
        var rows = page.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("Ana");

        foreach (var hidden in new[] { theirs, elsewhere })
        {
            await page.GotoAsync($"/conversations/{hidden}");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Conversation not found" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("body")).Not.ToContainTextAsync("charged twice");

            // The API, with Maria's session (cookie and anti-forgery token), says the same.
            var token = await page.Locator("meta[name='csrf-token']").GetAttributeAsync("content");
            var headers = new Dictionary<string, string> { ["X-CSRF-TOKEN"] = token! };
            var get = await page.APIRequest.GetAsync($"/api/v1/conversations/{hidden}");
            Assert.Equal(404, get.Status);
            Assert.Equal("application/problem+json", get.Headers["content-type"]);
            var reply = await page.APIRequest.PostAsync($"/api/v1/conversations/{hidden}/replies",
                new() { Headers = headers, DataObject = new { text = "hi", visibility = "public" } });
            Assert.Equal(404, reply.Status);
            var resolve = await page.APIRequest.PostAsync($"/api/v1/conversations/{hidden}/resolve", new() { Headers = headers });
            Assert.Equal(404, resolve.Status);
            var notes = await page.APIRequest.GetAsync($"/api/v1/conversations/{hidden}/notes");
            Assert.Equal(404, notes.Status);
            var live = await page.APIRequest.GetAsync($"/api/v1/live?conversation={hidden}");
            Assert.Equal(404, live.Status);
        }
        var list = await page.APIRequest.GetAsync("/api/v1/conversations");
        using (var json = JsonDocument.Parse(await list.TextAsync()))
            Assert.Equal([ours], json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        // The raw event log would show everything: it is for admins and apps, not for agents.
        Assert.Equal(403, (await page.APIRequest.GetAsync("/api/v1/events")).Status);
        Assert.Empty(parley.Simulator.Calls);

        // Sam, in Billing, does see it.
        await using var samContext = await chromium.NewContextAsync(parley);
        var samPage = await samContext.NewPageAsync();
        await BrowserParley.SignInAsync(samPage, sam, $"/conversations/{theirs}");
        await Assertions.Expect(samPage.Locator(".message.inbound")).ToContainTextAsync("charged twice");
        chromium.AssertNoScriptErrors();
    }
}
