using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>The inbox and a conversation worked from the keyboard alone.</summary>
public sealed class KeyboardTests(Chromium chromium)
{
    [Fact]
    public async Task An_agent_signs_in_moves_opens_replies_resolves_and_searches_without_a_mouse()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var now = DateTimeOffset.UtcNow;
        await parley.CustomerTweetsAsync("oldest: lost my bag", new SimXUser("1", "ana", "Ana"), at: now.AddMinutes(-30));
        // Priorities fall with age here (stranded > charged twice > a question), so priority order and oldest-first agree.
        await parley.CustomerTweetsAsync("middle: charged twice for my seat, refund?", new SimXUser("2", "ben", "Ben"), at: now.AddMinutes(-20));
        await parley.CustomerTweetsAsync("newest: lounge hours", new SimXUser("3", "cleo", "Cleo"), at: now.AddMinutes(-10));

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        var k = page.Keyboard;

        // Sign in with the keyboard: the e-mail field has focus, Tab to the password, Enter submits.
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByLabel("E-mail")).ToBeFocusedAsync();
        await k.TypeAsync(maria.Email);
        await k.PressAsync("Tab");
        await k.TypeAsync(BrowserParley.Password);
        await k.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("sign-in", StringComparison.Ordinal));

        // Highest priority first; j and k move the selection.
        var rows = page.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Ana");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("Cleo");
        var selected = page.Locator(".conversation-row.selected");
        await Assertions.Expect(selected).ToContainTextAsync("Ana");
        await k.PressAsync("j");
        await k.PressAsync("j");
        await Assertions.Expect(selected).ToContainTextAsync("Cleo");
        await k.PressAsync("k");
        await Assertions.Expect(selected).ToContainTextAsync("Ben");
        await Assertions.Expect(page.Locator(".conversation-row.selected .row-link")).ToBeFocusedAsync();

        // ? shows the shortcuts; Escape closes them.
        await k.PressAsync("?");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" })).ToBeVisibleAsync();
        await k.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" })).ToBeHiddenAsync();

        // e resolves the selected one; it leaves the open list and the selection stays in place.
        await k.PressAsync("e");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Filter(new() { HasText = "Ben" })).ToHaveCountAsync(0);

        // Enter opens; r goes to the composer; Ctrl+Enter sends; Escape leaves the field, u returns to the inbox.
        await k.PressAsync("k");
        await Assertions.Expect(selected).ToContainTextAsync("Ana");
        await k.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ana", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resolve" })).ToBeEnabledAsync();
        await k.PressAsync("r");
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" })).ToBeFocusedAsync();
        await k.TypeAsync("We are tracing your bag now.");
        await k.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator(".message.outbound")).ToContainTextAsync("We are tracing your bag now.");
        await Assertions.Expect(page.Locator(".message.outbound:not(.optimistic)")).ToHaveCountAsync(1); // the server has it
        await k.PressAsync("Escape");
        await k.PressAsync("u");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // Answered, Ana's conversation is no longer waiting: it moved behind Cleo's.
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Cleo");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("replied");
        await Assertions.Expect(selected).ToContainTextAsync("Cleo");
        await k.PressAsync("j");
        await Assertions.Expect(selected).ToContainTextAsync("Ana");
        await k.PressAsync("k");
        await Assertions.Expect(selected).ToContainTextAsync("Cleo");

        // From the inbox, r opens the selected conversation straight into the composer.
        await k.PressAsync("r");
        await Assertions.Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" })).ToBeFocusedAsync();
        await k.PressAsync("Escape");
        await k.PressAsync("u");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // / searches; Escape goes back to the list.
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await k.PressAsync("/");
        await Assertions.Expect(page.GetByLabel("Search")).ToBeFocusedAsync();
        await k.TypeAsync("@cle");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("Cleo");
        await k.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".conversation-row.selected .row-link")).ToBeFocusedAsync();
        chromium.AssertNoScriptErrors();
    }
}
