using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>What triage shows a person: each inbox row's priority with its reasons, and beside the thread the
/// signals (mood, intent, urgency, sensitive data, flags) and who the customer is.</summary>
public sealed class TriageTests(Chromium chromium)
{
    [Fact]
    public async Task The_inbox_shows_why_a_conversation_comes_first_and_the_conversation_shows_its_signals()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var now = DateTimeOffset.UtcNow;
        await parley.CustomerTweetsAsync("what time does the lounge open?", new SimXUser("7171", "tomasz", "Tomasz Nowak"), at: now.AddMinutes(-40));
        var sam = new SimXUser("4801", "stranded_sam", "Sam Okafor", FollowersCount: 48_000);
        var stranded = await parley.CustomerTweetsAsync(
            "my flight was cancelled and I'm stranded in Denver, paid with card 4111 1111 1111 1111 and no refund", sam, at: now.AddMinutes(-5));

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria);

        // The stranded traveller comes first although Tomasz has waited longer, and the row says why.
        var rows = page.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.First).ToContainTextAsync("Sam Okafor");
        await Assertions.Expect(rows.First.Locator(".reasons")).ToContainTextAsync("stranded traveller");
        await Assertions.Expect(rows.First.Locator(".reasons")).ToContainTextAsync("48k followers");
        await Assertions.Expect(rows.First.Locator(".priority")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("priority-high"));
        await Assertions.Expect(rows.First.Locator(".preview")).Not.ToContainTextAsync("4111 1111 1111 1111");

        // The conversation: the signals panel beside the thread, the card number hidden until asked for.
        await rows.First.Locator("a").ClickAsync();
        await page.WaitForURLAsync($"**/conversations/{stranded}");
        var signals = page.Locator(".signals");
        await Assertions.Expect(signals.GetByRole(AriaRole.Heading, new() { Name = "Triage" })).ToBeVisibleAsync();
        await Assertions.Expect(signals.Locator(".reasons-list")).ToContainTextAsync("stranded traveller");
        await Assertions.Expect(signals.Locator(".signal-list")).ToContainTextAsync("Mood");
        await Assertions.Expect(signals.Locator(".signal-list")).ToContainTextAsync("negative");
        await Assertions.Expect(signals.Locator(".signal-list")).ToContainTextAsync("Urgency");
        await Assertions.Expect(signals.Locator(".sensitive-warning")).ToContainTextAsync("a card number");
        await Assertions.Expect(page.Locator(".customer-pane")).ToContainTextAsync("1 contact in the last 24 hours");

        var text = page.Locator(".message.inbound .message-text");
        await Assertions.Expect(text).Not.ToContainTextAsync("4111 1111 1111 1111");
        await Assertions.Expect(text).ToContainTextAsync("1111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show hidden details" }).ClickAsync();
        await Assertions.Expect(text).ToContainTextAsync("4111 1111 1111 1111");

        // The suggestion acts: the composer switches to a private message.
        await signals.GetByRole(AriaRole.Button, new() { Name = "Reply privately" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Private message" })).ToBeCheckedAsync();
        chromium.AssertNoScriptErrors();
    }
}
