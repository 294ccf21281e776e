using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>Customer text is shown as text: posts (and names) built to run script do nothing.</summary>
public sealed class HostilePostTests(Chromium chromium)
{
    private const string ScriptPost = "<script>window.__pwned = 'script'</script> hello";
    private const string ImagePost = "<img src=x onerror=\"window.__pwned='img'\"> my refund";
    private const string LinkPost = "<a href=\"javascript:window.__pwned='link'\">click me</a> and javascript:window.__pwned='bare'";
    private const string HostileName = "<img src=y onerror=\"window.__pwned='name'\">Mallory";

    [Fact]
    public async Task Script_image_and_javascript_link_posts_render_as_literal_text_and_run_nothing()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var mallory = new SimXUser("666", "mallory", HostileName);
        var conversation = await parley.CustomerTweetsAsync(ScriptPost, mallory);
        await parley.CustomerTweetsAsync(ImagePost, mallory);
        await parley.CustomerTweetsAsync(LinkPost, mallory);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await BrowserParley.SignInAsync(page, maria);

        // The inbox: the name and the preview are literal text.
        var row = page.Locator(".conversation-row");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator(".name")).ToHaveTextAsync(HostileName);
        await Assertions.Expect(row.Locator(".preview")).ToContainTextAsync("<a href=\"javascript:");
        await AssertNothingRanAsync(page);

        // The conversation: every post is visible as typed, nothing was injected.
        await row.Locator("a").ClickAsync();
        await page.WaitForURLAsync($"**/conversations/{conversation}");
        var messages = page.Locator(".message.inbound .message-text");
        await Assertions.Expect(messages).ToHaveCountAsync(3);
        await Assertions.Expect(messages.Nth(0)).ToHaveTextAsync("@ParleyAir " + ScriptPost);
        await Assertions.Expect(messages.Nth(1)).ToHaveTextAsync("@ParleyAir " + ImagePost);
        await Assertions.Expect(messages.Nth(2)).ToHaveTextAsync("@ParleyAir " + LinkPost);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(HostileName);
        await Assertions.Expect(page.Locator(".customer-pane")).ToContainTextAsync(HostileName);
        await AssertNothingRanAsync(page);
        Assert.Equal(0, dialogs);
        chromium.AssertNoScriptErrors();
    }

    private static async Task AssertNothingRanAsync(IPage page)
    {
        await page.WaitForTimeoutAsync(300); // a broken image's onerror would have fired by now
        Assert.Null(await page.EvaluateAsync<string?>("window.__pwned ?? null"));
        Assert.Equal(0, await page.Locator("main img[src='x'], main img[src='y'], main img[onerror]").CountAsync());
        Assert.Equal(0, await page.Locator("a[href^='javascript:' i]").CountAsync());
        // The only scripts are the page's own module, and at most the page's data block (inert JSON, never run;
        // docs/adr/0026), which must still be one well-formed block: customer text cannot have closed it early.
        Assert.Equal(1, await page.Locator("script:not([type='application/json'])").CountAsync());
        Assert.True(await page.Locator("script[type='application/json']").CountAsync() <= 1);
        Assert.Equal(await page.Locator("script[type='application/json']").CountAsync(), await page.Locator("script#first-data").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("(() => { const d = document.getElementById('first-data'); if (!d) return true; JSON.parse(d.textContent); return true; })()"));
        Assert.Equal(0, await page.Locator("main script").CountAsync());
    }
}
