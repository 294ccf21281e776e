using System.Net.Http.Headers;
using System.Net.Http.Json;
using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>An app acts in a conversation through the API (docs/adr/0017); the agent sees it credited to the app.</summary>
public sealed class AppActingTests(Chromium chromium)
{
    private static readonly SimXUser Dana = new("4242", "dana_travels", "Dana Reyes");

    [Fact]
    public async Task An_agent_sees_an_apps_note_and_proposed_reply_and_approves_the_reply_which_is_sent_once()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var owner = await parley.CreatePersonAsync("Olga Owner", "olga@parley.example", "admin");
        var conversation = await parley.CustomerTweetsAsync("where is my bag?", Dana);
        var created = await parley.PostAsync("/api/v1/apps", new
        {
            name = "Baggage desk", ownerId = owner.Id, scopes = new[] { "conversations:write", "messages:send" }, brandIds = new[] { parley.BrandId },
        });
        using var app = new HttpClient { BaseAddress = parley.BaseAddress };
        app.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("key").GetProperty("key").GetString());
        var appId = created.GetProperty("app").GetProperty("id").GetGuid();
        Assert.True((await app.PostAsJsonAsync($"/api/v1/apps/{appId}/commands", new { name = "track", description = "Where the bag is" })).IsSuccessStatusCode);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, $"/conversations/{conversation}");
        await Assertions.Expect(page.Locator(".message.inbound")).ToContainTextAsync("where is my bag?");

        // The app writes a note and proposes a reply; both appear live, credited to the app.
        Assert.True((await app.PostAsJsonAsync($"/api/v1/conversations/{conversation}/notes", new { text = "Bag found in Lisbon, on tonight's flight." })).IsSuccessStatusCode);
        Assert.True((await app.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Good news: your bag arrives tonight." })).IsSuccessStatusCode);
        var note = page.Locator(".note", new() { HasText = "Bag found in Lisbon" });
        await Assertions.Expect(note.Locator(".author")).ToHaveTextAsync("Baggage desk", new() { Timeout = 5_000 });
        await Assertions.Expect(note.Locator(".app-badge")).ToHaveTextAsync("app");
        var proposal = page.Locator(".proposal");
        await Assertions.Expect(proposal).ToContainTextAsync("Proposed by Baggage desk", new() { Timeout = 5_000 });
        await Assertions.Expect(proposal).ToContainTextAsync("Good news: your bag arrives tonight.");
        Assert.DoesNotContain(parley.Simulator.Calls, c => c.Path == "/2/tweets");

        // Maria approves; the reply goes out under the app's name, once.
        await proposal.GetByRole(AriaRole.Button, new() { Name = "Approve and send" }).ClickAsync();
        var sent = page.Locator(".message.outbound", new() { HasText = "your bag arrives tonight" });
        await Assertions.Expect(sent.Locator(".delivery")).ToHaveTextAsync("✓ Sent", new() { Timeout = 15_000 });
        await Assertions.Expect(sent.Locator(".author")).ToHaveTextAsync("Baggage desk");
        await Assertions.Expect(sent.Locator(".app-badge")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".proposal")).ToHaveCountAsync(0);
        Assert.Single(parley.Simulator.Calls, c => c.Method == "POST" && c.Path == "/2/tweets");

        // Tags from the page; in a note, '#' offers the commands apps answer.
        var tagInput = page.GetByRole(AriaRole.Textbox, new() { Name = "Add a tag" });
        await tagInput.FillAsync("VIP");
        await tagInput.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".tag-editor .tag")).ToContainTextAsync("#vip");
        await page.Locator("label[for=mode-note]").ClickAsync();
        var composer = page.Locator("#composer-text");
        await composer.PressSequentiallyAsync("#tr");
        await Assertions.Expect(page.Locator("#mention-list")).ToContainTextAsync("#track");
        await composer.PressAsync("Enter");
        await Assertions.Expect(composer).ToHaveValueAsync("#track ");
        chromium.AssertNoScriptErrors();
    }
}
