using System.Net.Http.Json;
using System.Text.Json;
using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>The embeddable customer card renders hostile customer text inert; an auditor's workspace reads
/// and offers nothing that would change anything.</summary>
public sealed class EmbedAndAuditorTests(Chromium chromium)
{
    private const string HostileName = "<img src=y onerror=\"window.__pwned='name'\">Mallory";
    private const string HostilePost = "<script>window.__pwned = 'script'</script> where is my refund";

    [Fact]
    public async Task The_embedded_card_shows_hostile_names_and_posts_as_text_and_runs_no_script()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var conversation = await parley.CustomerTweetsAsync(HostilePost, new SimXUser("666", "mallory", HostileName));
        var contact = (await parley.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{conversation}")).GetProperty("contact").GetProperty("id").GetGuid();
        var minted = await parley.PostAsync($"/api/v1/contacts/{contact}/card/embed-token", new { });

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await page.GotoAsync(minted.GetProperty("url").GetString()!);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(HostileName);
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(HostilePost);
        await page.WaitForTimeoutAsync(300); // a broken image's onerror would have fired by now
        Assert.Null(await page.EvaluateAsync<string?>("window.__pwned ?? null"));
        Assert.Equal(0, await page.Locator("script, img").CountAsync());
        Assert.Equal(0, dialogs);
        // The inline style is allowed by its hash: the card is styled, and the browser reported no violation.
        Assert.Equal("16px", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('h1')).fontSize"));
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task An_auditor_reads_a_conversation_without_a_composer_or_enabled_actions_and_sees_the_audit_trail()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var conversation = await parley.CustomerTweetsAsync("my bag is lost", new SimXUser("42", "dana", "Dana"));
        var auditor = await parley.CreatePersonAsync("Aud Itor", "auditor@parley.example", "auditor");

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, auditor, $"/conversations/{conversation}");
        await Assertions.Expect(page.Locator(".message.inbound .message-text")).ToContainTextAsync("my bag is lost");
        await Assertions.Expect(page.Locator(".read-only-banner")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("form.composer")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resolve" })).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#assign-team")).ToBeDisabledAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.WaitForURLAsync("**/audit");
        // The auditor's own sign-in is in the trail.
        await Assertions.Expect(page.Locator(".audit-table tbody")).ToContainTextAsync("session.sign_in");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Search" })).ToBeEnabledAsync();
        chromium.AssertNoScriptErrors();
    }
}
