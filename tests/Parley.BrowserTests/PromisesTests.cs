using System.Text.RegularExpressions;
using Parley.BrowserTests.Infrastructure;
using Parley.Simulator;

namespace Parley.BrowserTests;

/// <summary>Keeping promises in the workspace: an assigned conversation's clock, ownership, saved replies,
/// the late-reply opening, the missed-posts queue and the settings pages, in Chromium.</summary>
public sealed partial class PromisesTests(Chromium chromium)
{
    private static readonly SimXUser Dana = new("4242", "dana_travels", "Dana Reyes");

    private static async Task SetUpCareAsync(BrowserParley parley, Guid care, bool autoAssign = true)
    {
        await parley.PostAsync("/api/v1/service-levels", new
        {
            brandId = parley.BrandId, name = "Social", timeToAcknowledge = "00:30:00", timeToResolve = "1.00:00:00", warningLeadTimes = new[] { "00:10:00" },
        });
        await parley.PostAsync("/api/v1/routing-rules", new { brandId = parley.BrandId, teamId = care, name = "Everything" });
        var response = await parley.Admin.PutAsync($"/api/v1/queues/{care}", System.Net.Http.Json.JsonContent.Create(new { autoAssign }));
        Assert.True(response.IsSuccessStatusCode);
    }

    [GeneratedRegex(@"^Acknowledge (2\d|30)m left$")]
    private static partial Regex AcknowledgeRunning();

    [GeneratedRegex(@"^Resolve (23h \d+m|24h) left$")]
    private static partial Regex ResolveRunning();

    [Fact]
    public async Task An_agent_is_assigned_a_conversation_sees_its_clock_acknowledges_it_and_the_clock_changes()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        await SetUpCareAsync(parley, care);

        // Maria opens the workspace: with a page connected and her status online, routing gives her work.
        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria);
        await Assertions.Expect(page.Locator(".status-picker")).ToHaveAttributeAsync("data-presence", "online", new() { Timeout = 10_000 });
        var conversation = await parley.CustomerTweetsAsync("my bag never arrived in Lisbon", Dana);

        await page.GetByRole(AriaRole.Link, new() { Name = "My conversations" }).ClickAsync();
        var row = page.Locator($".conversation-row[data-id='{conversation}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(row.Locator(".owner")).ToHaveTextAsync("you");
        await Assertions.Expect(row.Locator(".clock")).ToHaveTextAsync(AcknowledgeRunning());
        await row.Locator("a").ClickAsync();

        var headClock = page.Locator(".conversation-head .clock");
        await Assertions.Expect(headClock).ToHaveTextAsync(AcknowledgeRunning());
        await Assertions.Expect(headClock).ToHaveAttributeAsync("data-urgency", "running");
        await Assertions.Expect(page.Locator("#owner-line")).ToHaveTextAsync("Owner: you");
        await Assertions.Expect(page.Locator("#clock-list [data-clock='acknowledge']")).ToHaveTextAsync(AcknowledgeRunning());

        // Acknowledging is the first reply.
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        await composer.FillAsync("So sorry, Dana, we are tracing your bag now.");
        await composer.PressAsync("Control+Enter");

        await Assertions.Expect(headClock).ToHaveTextAsync(ResolveRunning(), new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#clock-list [data-clock='acknowledge']")).ToHaveTextAsync("Acknowledge: met");
        await Assertions.Expect(page.Locator(".actions .state")).ToHaveTextAsync("Acknowledged");
        await page.GetByRole(AriaRole.Link, new() { Name = "← Inbox" }).ClickAsync();
        await Assertions.Expect(row.Locator(".clock")).ToHaveTextAsync(ResolveRunning());
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_colleague_is_warned_before_replying_to_someone_elses_conversation_and_takes_it_over()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var sam = await parley.CreatePersonAsync("Sam Carter", "sam@parley.example", "agent", care);
        var conversation = await parley.CustomerTweetsAsync("still no refund", Dana);
        await parley.AssignAsync(conversation, care, maria.Id);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, sam, $"/conversations/{conversation}");
        await Assertions.Expect(page.Locator("#owner-warning")).ToHaveTextAsync("Maria Lopez owns this conversation. Replying will take it over from them.");

        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        await composer.FillAsync("Sam here, let me help.");
        await composer.PressAsync("Control+Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Take over this conversation?" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        // Cancel first: nothing is sent, the words stay.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(composer).ToHaveValueAsync("Sam here, let me help.");
        Assert.DoesNotContain(parley.Simulator.Calls, c => c.Path == "/2/tweets");

        await composer.PressAsync("Control+Enter");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Take over and send" }).ClickAsync();
        await Assertions.Expect(page.Locator(".message.outbound")).ToContainTextAsync("Sam here");
        await Assertions.Expect(page.Locator("#owner-line")).ToHaveTextAsync("Owner: you");
        await Assertions.Expect(page.Locator("#owner-warning")).ToBeHiddenAsync();
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_composer_offers_an_apology_for_a_late_answer_and_fills_in_saved_replies()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        await parley.PostAsync("/api/v1/templates", new
        {
            brandId = parley.BrandId, name = "Order on its way", text = "Your order {conversation.orderNumber} is on its way, {customer.firstName}. – {agent.firstName}",
        });
        var conversation = await parley.CustomerTweetsAsync("where is my order #PA-7731?", Dana, at: DateTimeOffset.UtcNow.AddDays(-3));
        await parley.AssignAsync(conversation, care, maria.Id);

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, $"/conversations/{conversation}");
        var late = page.Locator("#late-reply");
        await Assertions.Expect(late).ToContainTextAsync("The customer has waited 3d");
        await page.GetByLabel("Reason for the delay").FillAsync("our team missed your message over the weekend");
        await late.GetByRole(AriaRole.Button, new() { Name = "Insert apology" }).ClickAsync();
        var composer = page.GetByRole(AriaRole.Textbox, new() { Name = "Public reply on X" });
        await Assertions.Expect(composer).ToHaveValueAsync("Hi Dana, we're sorry for taking 3 days to get back to you – our team missed your message over the weekend. ");

        await page.GetByRole(AriaRole.Button, new() { Name = "Saved replies" }).ClickAsync();
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Search saved replies" }).FillAsync("order");
        await Assertions.Expect(page.Locator("#template-list li")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Search saved replies" }).PressAsync("Enter");
        await Assertions.Expect(composer).ToHaveValueAsync(
            "Hi Dana, we're sorry for taking 3 days to get back to you – our team missed your message over the weekend. Your order PA-7731 is on its way, Dana. – Maria");
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task The_missed_posts_queue_lists_unanswered_customers_oldest_first()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var maria = await parley.CreatePersonAsync("Maria Lopez", "maria@parley.example", "agent", care);
        var recent = await parley.CustomerTweetsAsync("hello?", new SimXUser("1", "recent_one", "Recent One"), at: DateTimeOffset.UtcNow.AddHours(-2));
        var old = await parley.CustomerTweetsAsync("nobody ever answered me", new SimXUser("2", "old_one", "Old One"), at: DateTimeOffset.UtcNow.AddDays(-40));

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, maria, "/missed");
        var rows = page.Locator("#missed-list .conversation-row");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("data-id", old.ToString());
        await Assertions.Expect(rows.Nth(1)).ToHaveAttributeAsync("data-id", recent.ToString());
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("waiting 40d");
        await rows.Nth(0).Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#late-reply")).ToBeVisibleAsync();
        chromium.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_lead_sets_up_queues_rules_timers_saved_replies_and_an_admin_business_hours()
    {
        chromium.Require();
        await using var parley = await BrowserParley.StartAsync();
        var care = await parley.CreateTeamAsync("Care");
        var billing = await parley.CreateTeamAsync("Billing");
        var lee = await parley.CreatePersonAsync("Lee Lead", "lee@parley.example", "lead", care, billing);
        var ada = await parley.CreatePersonAsync("Ada Admin", "ada@parley.example", "admin");

        await using var context = await chromium.NewContextAsync(parley);
        var page = await context.NewPageAsync();
        await BrowserParley.SignInAsync(page, lee, "/settings/routing");

        // A queue that assigns by itself, round robin.
        var billingRow = page.Locator($"#queues-table tr[data-team='{billing}']");
        await billingRow.GetByLabel("Billing: assign automatically").CheckAsync();
        await billingRow.GetByLabel("Billing: fairness").SelectOptionAsync("roundRobin");
        await billingRow.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator(".toast")).ToContainTextAsync("Saved the Billing queue.");

        // A routing rule, then a post tried against it.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Money matters");
        await page.Locator("#rule-team").SelectOptionAsync(billing.ToString());
        await page.GetByLabel("Keywords").FillAsync("refund, invoice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#rule-list")).ToContainTextAsync("Money matters → Billing · mentions “refund” or “invoice”");
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync("I want a refund for my ticket");
        await page.GetByRole(AriaRole.Button, new() { Name = "Where would it go?" }).ClickAsync();
        await Assertions.Expect(page.Locator("#preview-result")).ToContainTextAsync("→ Billing (rule “Money matters”)");

        // A timer rule.
        await page.GetByRole(AriaRole.Link, new() { Name = "Timer rules" }).ClickAsync();
        await page.Locator("#timer-name").FillAsync("Check in");
        await page.Locator("#timer-condition").SelectOptionAsync("customerSilent");
        await page.Locator("#timer-after").FillAsync("3");
        await page.Locator("#timer-after + select").SelectOptionAsync("1440");
        await page.Locator("#timer-action").SelectOptionAsync("askIfResolved");
        await page.Locator("#timer-message").FillAsync("Hi {customer.firstName}, is this sorted?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add rule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timer-list")).ToContainTextAsync("Check in: customer silent after our answer for 3 days → ask whether it is resolved");

        // A saved reply, with a variable inserted from the list.
        await page.GetByRole(AriaRole.Link, new() { Name = "Saved replies" }).ClickAsync();
        await page.Locator("#template-name").FillAsync("Greeting");
        await page.Locator("#template-text").FillAsync("Hi ");
        await page.GetByRole(AriaRole.Button, new() { Name = "{customer.firstName}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add saved reply" }).ClickAsync();
        await Assertions.Expect(page.Locator("#templates-list")).ToContainTextAsync("Hi {customer.firstName}");

        // Service levels are for admins: the lead reads why; the admin adds office hours.
        await page.GetByRole(AriaRole.Link, new() { Name = "Service levels" }).ClickAsync();
        await Assertions.Expect(page.Locator(".settings-body")).ToContainTextAsync("Service levels are set by admins");
        await using var adminContext = await chromium.NewContextAsync(parley);
        var admin = await adminContext.NewPageAsync();
        await BrowserParley.SignInAsync(admin, ada, "/settings/service-levels");
        await admin.Locator("#policy-name").FillAsync("Office hours");
        await admin.GetByLabel("Count only business hours").CheckAsync();
        await admin.Locator("#policy-zone").FillAsync("Europe/London");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add policy" }).ClickAsync();
        var policy = admin.Locator("#policies-table tbody tr");
        await Assertions.Expect(policy).ToContainTextAsync("Office hours");
        await Assertions.Expect(policy).ToContainTextAsync("mon 09:00–17:00");
        await Assertions.Expect(policy).ToContainTextAsync("(Europe/London)");
        await Assertions.Expect(policy).ToContainTextAsync("30 minutes");
        chromium.AssertNoScriptErrors();
    }
}
