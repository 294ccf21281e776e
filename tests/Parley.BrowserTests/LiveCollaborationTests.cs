using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>Two agents at two computers (two browser contexts) working the same inbox.</summary>
public sealed class LiveCollaborationTests(Chromium chromium)
{
    private static readonly SimXUser Dana = new("4242", "dana_travels", "Dana Reyes");

    [Fact]
    public async Task One_agent_replies_and_the_other_sees_it_appear_live_with_both_shown_present_and_typing()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care);
        var conversation = await parley.CustomerTweetsAsync("my bag never arrived", Dana);

        await using var mariaContext = await chromium.NewContextAsync(parley);
        await using var leeContext = await chromium.NewContextAsync(parley);
        var mariaPage = await mariaContext.NewPageAsync();
        var leePage = await leeContext.NewPageAsync();
        await BrowserParley.SignInAsync(mariaPage, maria, $"/conversations/{conversation}");
        await BrowserParley.SignInAsync(leePage, lee, $"/conversations/{conversation}");

        // Presence: each sees the other.
        await Assertions.Expect(mariaPage.Locator(".presence")).ToContainTextAsync("Lee Lead");
        await Assertions.Expect(leePage.Locator(".presence")).ToContainTextAsync("Maria Lopez");

        // Typing shows on the other screen.
        var composer = mariaPage.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        await composer.PressSequentiallyAsync("We are on it");
        await Assertions.Expect(leePage.Locator(".presence")).ToContainTextAsync("Maria Lopez (typing…)");

        // Maria sends; Lee's page shows the reply without reloading.
        await composer.PressSequentiallyAsync(", Dana: your bag is on the next flight.");
        await composer.PressAsync("Control+Enter");
        await Assertions.Expect(leePage.Locator(".message.outbound")).ToContainTextAsync("your bag is on the next flight", new() { Timeout = 3_000 });
        await Assertions.Expect(leePage.Locator(".message.outbound .delivery")).ToHaveTextAsync("✓ Sent", new() { Timeout = 15_000 });
        await Assertions.Expect(leePage.Locator(".presence")).Not.ToContainTextAsync("typing");

        // The customer answers: both pages show it live.
        await parley.CustomerTweetsAsync("thank you!!", Dana);
        await Assertions.Expect(mariaPage.Locator(".message.inbound").Last).ToContainTextAsync("thank you!!", new() { Timeout = 3_000 });
        await Assertions.Expect(leePage.Locator(".message.inbound").Last).ToContainTextAsync("thank you!!", new() { Timeout = 3_000 });

        // Maria leaves: Lee no longer sees her.
        await mariaPage.CloseAsync();
        await Assertions.Expect(leePage.Locator(".presence")).Not.ToContainTextAsync("Maria Lopez");
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_new_post_appears_in_an_open_inbox_within_a_second_with_a_new_items_badge()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care);
        // This test is about the live feed, not the patience window: a post counts as complete at once
        // (the badge otherwise waits until the customer has stopped writing; see TriageTests).
        await parley.PutTriageAsync(new { patienceWindow = "00:00:00", patienceMaxHold = "00:00:00" });
        var first = await parley.CustomerTweetsAsync("first!", Dana);

        await using var context = await chromium.NewContextAsync(parley);
        var inbox = await context.NewPageAsync();
        await BrowserParley.SignInAsync(inbox, maria);
        var rows = inbox.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(inbox.Locator("#connection")).ToContainTextAsync("Live");

        // Within a second on an idle machine (the in-process live feed test holds the server to that);
        // the browser gets a little slack for a busy test machine.
        await parley.CustomerTweetsAsync("hello, my flight was cancelled", new SimXUser("99", "kjell_o", "Kjell Olsen"));
        await Assertions.Expect(rows).ToHaveCountAsync(2, new() { Timeout = 3_000 });
        await Assertions.Expect(inbox.Locator(".new-badge")).ToHaveTextAsync("1 new");
        await Assertions.Expect(inbox).ToHaveTitleAsync("(1) Inbox · Parley");
        await Assertions.Expect(inbox.Locator(".conversation-row.fresh")).ToContainTextAsync("Kjell Olsen");

        // A colleague's state change shows up too: Lee resolves the first one, it leaves Maria's open list.
        await using var leeContext = await chromium.NewContextAsync(parley);
        var leePage = await leeContext.NewPageAsync();
        await BrowserParley.SignInAsync(leePage, lee, $"/conversations/{first}");
        await Assertions.Expect(inbox.Locator(".conversation-row", new() { HasText = "Dana Reyes" })).ToContainTextAsync("Lee Lead viewing");
        await leePage.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(leePage.Locator(".actions .state")).ToHaveTextAsync("Resolved");
        await Assertions.Expect(rows).ToHaveCountAsync(1, new() { Timeout = 3_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("Kjell Olsen");

        // Looking at the new one clears the badge.
        await inbox.GetByRole(AriaRole.Button, new() { Name = "1 new conversation; show the first" }).ClickAsync();
        await Assertions.Expect(inbox.Locator(".new-badge")).ToBeHiddenAsync();
        await Assertions.Expect(inbox).ToHaveTitleAsync("Inbox · Parley");
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Live_rows_follow_the_inbox_filters_a_team_queue_and_a_text_search()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care);
        await parley.PutTriageAsync(new { patienceWindow = "00:00:00", patienceMaxHold = "00:00:00" });
        var queued = await parley.CustomerTweetsAsync("already in the queue", Dana);
        await parley.AssignAsync(queued, care);

        // The Care queue: the server sends every row Lee may see; the page keeps those in Care only.
        await using var context = await chromium.NewContextAsync(parley);
        var inbox = await context.NewPageAsync();
        await BrowserParley.SignInAsync(inbox, lee, $"/?status=open&team={care}");
        var rows = inbox.Locator(".conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(inbox.Locator("#connection")).ToContainTextAsync("Live");
        var outside = await parley.CustomerTweetsAsync("not routed anywhere yet", new SimXUser("77", "ola_n", "Ola Nordmann"));
        await parley.CustomerTweetsAsync("routed to care below", new SimXUser("78", "kari_n", "Kari Nordmann"));
        await Task.Delay(1_500);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        // Put in the queue, it joins the list.
        await parley.AssignAsync(outside, care);
        await Assertions.Expect(rows).ToHaveCountAsync(2, new() { Timeout = 5_000 });
        await Assertions.Expect(inbox.Locator(".conversation-row", new() { HasText = "Ola Nordmann" })).ToBeVisibleAsync();

        // A text search is the server's to decide: a live post shows only if its words match.
        await inbox.GotoAsync("/?status=open&q=refund");
        await Assertions.Expect(inbox.Locator("#connection")).ToContainTextAsync("Live");
        await Assertions.Expect(rows).ToHaveCountAsync(0);
        await parley.CustomerTweetsAsync("where is my refund", new SimXUser("79", "per_s", "Per Svensson"));
        await parley.CustomerTweetsAsync("lovely flight, thanks", new SimXUser("80", "liv_s", "Liv Svensson"));
        await Assertions.Expect(rows).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("Per Svensson");
        await Task.Delay(1_500);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_mention_in_a_private_note_notifies_the_colleague_at_once()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care);
        var conversation = await parley.CustomerTweetsAsync("I want compensation", Dana);

        await using var leeContext = await chromium.NewContextAsync(parley);
        var leeInbox = await leeContext.NewPageAsync();
        await BrowserParley.SignInAsync(leeInbox, lee);
        await Assertions.Expect(leeInbox.Locator("#connection")).ToContainTextAsync("Live");

        await using var mariaContext = await chromium.NewContextAsync(parley);
        var page = await mariaContext.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, $"/conversations/{conversation}");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Note for colleagues" }).CheckAsync();
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Note (only colleagues see it; @name notifies them)" });
        await composer.PressSequentiallyAsync("Can you approve a voucher, @le");
        await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = "Lee Lead @lee" })).ToBeVisibleAsync();
        await composer.PressAsync("Enter");
        await Assertions.Expect(composer).ToHaveValueAsync("Can you approve a voucher, @lee ");
        await composer.PressAsync("Control+Enter");

        var note = page.Locator(".note");
        await Assertions.Expect(note).ToContainTextAsync("Can you approve a voucher, @lee");
        await Assertions.Expect(note).ToContainTextAsync("Notified: Lee Lead");
        Assert.Empty(parley.Simulator.Calls); // a note never goes to the network

        await Assertions.Expect(leeInbox.Locator(".toast")).ToContainTextAsync("Maria Lopez mentioned you", new() { Timeout = 3_000 });
        await Assertions.Expect(leeInbox.Locator("#notification-count")).ToHaveTextAsync("1");
        await leeInbox.GetByRole(AriaRole.Button, new() { Name = "Notifications, 1 unread" }).ClickAsync();
        await leeInbox.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("approve a voucher") }).ClickAsync();
        await leeInbox.WaitForURLAsync($"**/conversations/{conversation}");
        await Assertions.Expect(leeInbox.Locator(".note")).ToContainTextAsync("approve a voucher");
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_lost_connection_is_shown_and_recovers_by_itself()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        await parley.CustomerTweetsAsync("first", Dana);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria);
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync("Live");

        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Connection lost" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync("Reconnecting");
        // Something happens while the agent is cut off...
        await parley.CustomerTweetsAsync("are you there?", new SimXUser("99", "kjell_o", "Kjell Olsen"));

        await context.SetOfflineAsync(false);
        await Assertions.Expect(page.Locator("#connection")).ToContainTextAsync("Live", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#offline-banner")).ToBeHiddenAsync();
        // ...and the list catches up after reconnecting.
        await Assertions.Expect(page.Locator(".conversation-row")).ToHaveCountAsync(2);
    }
}
