using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>Takes the README's screenshots when PARLEY_SCREENSHOTS names a folder
/// (<c>PARLEY_SCREENSHOTS=$PWD/docs/screenshots dotnet test tests/Parley.BrowserTests --filter Screenshots</c>);
/// otherwise it checks only that the phone layout needs no sideways scrolling.</summary>
public sealed class Screenshots(Chromium chromium)
{
    [Fact]
    public async Task Screenshots_of_the_inbox_and_a_conversation_at_desktop_and_phone_width()
    {
        chromium.Require();
        var folder = Environment.GetEnvironmentVariable("PARLEY_SCREENSHOTS");
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var billing = await parley.CreateTeamAsync("Billing");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care);
        await parley.CreatePersonAsync("Sam Carter", "sam@parley.example", "agent", billing);
        await parley.PostAsync("/api/v1/service-levels", new
        {
            brandId = parley.BrandId, name = "Social", timeToAcknowledge = "01:00:00", timeToResolve = "1.00:00:00", warningLeadTimes = new[] { "00:15:00" },
        });
        await parley.PostAsync("/api/v1/routing-rules", new { brandId = parley.BrandId, teamId = billing, name = "Money matters", keywords = new[] { "charged", "refund" } });
        await parley.PostAsync("/api/v1/timer-rules", new
        {
            brandId = parley.BrandId, name = "Check in", condition = "customerSilent", after = "3.00:00:00", action = "askIfResolved",
            message = "Hi {customer.firstName}, is there anything else we can do, or is this sorted?",
        });

        var now = DateTimeOffset.UtcNow;
        var dana = new SimXUser("4242", "dana_travels", "Dana Reyes", FollowersCount: 1200);
        var main = await parley.CustomerTweetsAsync("my bag never arrived in Lisbon, flight PA 212. Three days now and nobody answers 😡", dana, at: now.AddMinutes(-95));
        await parley.CustomerTweetsAsync("still nothing. I need my medication, it is in that bag", dana, at: now.AddMinutes(-40));
        await parley.CustomerTweetsAsync("why was my flight to Oslo cancelled? no email, nothing", new SimXUser("5151", "kjell_o", "Kjell Olsen"), at: now.AddMinutes(-70));
        var billed = await parley.CustomerTweetsAsync("charged twice for seat selection on booking QX7P2L", new SimXUser("6161", "priya_k", "Priya Kapoor"), at: now.AddMinutes(-55));
        await parley.AssignAsync(billed, billing);
        await parley.CustomerTweetsAsync("does the lounge at gate 4 open before 6am?", new SimXUser("7171", "tomasz", "Tomasz Nowak"), at: now.AddMinutes(-12));
        await parley.CustomerTweetsAsync("thanks for the upgrade yesterday, lovely crew!", new SimXUser("8181", "amelie_b", "Amélie Bernard"), at: now.AddMinutes(-3));
        await parley.AssignAsync(main, care, maria.Id);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria);
        await Assertions.Expect(page.Locator(".conversation-row")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync("Live");
        if (folder is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "inbox.png") });

        // A colleague has it open too, and a note mentions him.
        await using var leeContext = await chromium.NewContextAsync(parley);
        var leePage = await leeContext.NewPageAsync();
        await BrowserParley.SignInAsync(leePage, lee, $"/conversations/{main}");

        await page.GotoAsync($"/conversations/{main}");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Note for colleagues" }).CheckAsync();
        await page.Locator("#composer-text").FillAsync("@lee she mentions medication - can we courier the bag today?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Public reply" }).CheckAsync();
        await page.Locator("#composer-text").FillAsync("Dana, I am so sorry. Your bag is in Lisbon and a courier brings it to you today.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.Locator(".message.outbound .delivery")).ToHaveTextAsync("✓ Sent", new() { Timeout = 15_000 });
        await page.Locator("#composer-text").FillAsync("If you need anything before it arrives, send us a DM with your booking code");
        await Assertions.Expect(page.Locator(".presence")).ToContainTextAsync("Lee Lead");
        if (folder is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "conversation.png") });

        await using var phone = await chromium.NewContextAsync(parley, 390, 844);
        var phonePage = await phone.NewPageAsync();
        await BrowserParley.SignInAsync(phonePage, maria);
        await Assertions.Expect(phonePage.Locator(".conversation-row")).ToHaveCountAsync(4);
        if (folder is not null) await phonePage.ScreenshotAsync(new() { Path = Path.Combine(folder, "inbox-phone.png") });
        Assert.True(await phonePage.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The inbox scrolls sideways on a phone.");
        await phonePage.GotoAsync($"/conversations/{main}");
        await Assertions.Expect(phonePage.Locator(".message.outbound")).ToContainTextAsync("courier");
        Assert.True(await phonePage.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The conversation scrolls sideways on a phone.");
        if (folder is not null) await phonePage.ScreenshotAsync(new() { Path = Path.Combine(folder, "conversation-phone.png") });

        // The missed-posts queue and the routing settings.
        await page.GotoAsync("/missed");
        await Assertions.Expect(page.Locator("#missed-list .conversation-row").First).ToBeVisibleAsync();
        if (folder is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "missed.png") });
        await leePage.GotoAsync("/settings/routing");
        await Assertions.Expect(leePage.Locator("#rule-list")).ToContainTextAsync("Money matters");
        if (folder is not null) await leePage.ScreenshotAsync(new() { Path = Path.Combine(folder, "settings-routing.png"), FullPage = true });
        chromium.AssertNoScriptErrors();
    }
}
