using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.BrowserTests.Infrastructure;
using Parley.Channels.X;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>An agent's day, end to end in Chromium: sign in, find, reply, see it delivered, resolve.</summary>
public sealed partial class AgentJourneyTests(Chromium chromium)
{
    private static readonly SimXUser Dana = new("4242", "dana_travels", "Dana Reyes", FollowersCount: 1200);

    [Fact]
    public async Task A_new_agent_signs_in_finds_a_conversation_replies_sees_it_delivered_and_resolves_it()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        await parley.CustomerTweetsAsync("my bag never arrived in Lisbon, flight PA 212", Dana);
        await parley.CustomerTweetsAsync("is the lounge open at gate 4?", new SimXUser("777", "someone_else", "Someone Else"));

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.Contains("/sign-in", page.Url, StringComparison.Ordinal);
        await BrowserParley.SignInAsync(page, maria);

        // Find it: both are listed, the search narrows to Dana's.
        var rows = page.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await page.GetByLabel("Search").FillAsync("lisbon");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("Dana Reyes");
        await Assertions.Expect(rows.First).ToContainTextAsync("waiting");
        await page.GetByLabel("Search").FillAsync("@dana_t");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await rows.First.Locator("a").ClickAsync();

        // The conversation: the customer's post, their account beside it, a composer that counts as X does.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dana Reyes", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".message.inbound")).ToContainTextAsync("my bag never arrived in Lisbon");
        await Assertions.Expect(page.Locator(".message.inbound .visibility")).ToHaveTextAsync("Public");
        await Assertions.Expect(page.Locator(".customer-pane")).ToContainTextAsync("@dana_travels");
        await Assertions.Expect(page.Locator(".customer-pane")).ToContainTextAsync("1,200 followers");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Public reply" })).ToBeCheckedAsync();

        const string reply = "So sorry, Dana 🙏 We have found your bag; it arrives tonight: https://parley.example/bags/212";
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        await composer.FillAsync(reply);
        await Assertions.Expect(page.Locator("#composer-count")).ToHaveTextAsync($"{XTextLength.Weigh(reply)} / 280");
        await composer.PressAsync("Control+Enter");

        // Shown at once, then delivered: the simulator received the tweet, and the page says so.
        var outbound = page.Locator(".message.outbound");
        await Assertions.Expect(outbound).ToContainTextAsync("We have found your bag");
        await Assertions.Expect(outbound.Locator(".delivery")).ToHaveTextAsync("✓ Sent", new() { Timeout = 15_000 });
        await Assertions.Expect(composer).ToHaveValueAsync("");
        var call = parley.Simulator.Calls.Single(c => c is { Method: "POST", Path: "/2/tweets" });
        using (var body = JsonDocument.Parse(call.Body))
            Assert.Equal(reply, body.RootElement.GetProperty("text").GetString());

        // Resolve: the state changes here, and the conversation leaves the open inbox.
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(page.Locator(".actions .state")).ToHaveTextAsync("Resolved");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reopen" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "← Inbox" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("lounge");
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_failed_reply_shows_the_networks_reason_and_is_delivered_after_retry()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var conversation = await parley.CustomerTweetsAsync("where is my refund?", Dana);
        parley.Simulator.AddFault(new Fault(Fault.Status, "/2/tweets", Times: 1, StatusCode: 403));

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, $"/conversations/{conversation}");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" }).FillAsync("Checking on your refund now.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        var failed = page.Locator(".message.outbound .delivery.failed");
        await Assertions.Expect(failed).ToContainTextAsync("Not delivered", new() { Timeout = 15_000 });
        await Assertions.Expect(failed).ToContainTextAsync("403");
        await failed.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Assertions.Expect(page.Locator(".message.outbound .delivery")).ToHaveTextAsync("✓ Sent", new() { Timeout = 15_000 });
        Assert.Equal(2, parley.Simulator.Calls.Count(c => c is { Method: "POST", Path: "/2/tweets" }));
    }

    [Fact]
    public async Task The_composer_counts_as_X_does_and_will_not_send_an_over_long_public_reply()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var conversation = await parley.CustomerTweetsAsync("hello?", Dana);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, $"/conversations/{conversation}");
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        foreach (var text in new[] { "日本語のテキスト 👩‍👩‍👧 café", "see https://example.com/a/very/long/path/that/counts/as/23 ok", "ÅΩж→€" })
        {
            await composer.FillAsync(text);
            await Assertions.Expect(page.Locator("#composer-count")).ToHaveTextAsync($"{XTextLength.Weigh(text)} / 280");
        }

        await composer.FillAsync(new string('a', 281));
        await Assertions.Expect(page.Locator("#composer-count")).ToHaveTextAsync(OverLimit());
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeDisabledAsync();

        // A private message on X allows far more.
        await page.GetByRole(AriaRole.Radio, new() { Name = "Private message" }).CheckAsync();
        await Assertions.Expect(page.Locator("#composer-count")).ToHaveTextAsync("281 / 10000");
    }

    [GeneratedRegex("281 / 280 — 1 over the limit")]
    private static partial Regex OverLimit();
}
