using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Conversations;
using Parley.Promises;
using Parley.Tests.Infrastructure;
using Parley.Tests.Routing;
using Parley.Tests.Web;

namespace Parley.Tests.Promises;

/// <summary>Timer rules that act, run by the sweep on a clock the test moves: each fires once, also
/// across a restart, and does what it says.</summary>
public sealed class TimerRuleTests
{
    private static async Task<Guid> TimerAsync(TestParley parley, Guid brand, object rule)
    {
        var body = JsonSerializer.SerializeToNode(rule, JsonSerializerOptions.Web)!.AsObject();
        body["brandId"] = brand;
        body["name"] ??= "rule";
        var response = await parley.Client.PostAsJsonAsync("/api/v1/timer-rules", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Task<int> SweepAsync(TestParley parley) =>
        parley.App.Services.GetRequiredService<TimerSweep>().RunOnceAsync(CancellationToken.None);

    private static async Task<List<JsonElement>> FiredAsync(TestParley parley) => await parley.EventsOfTypeAsync("timer.fired");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Not_acknowledged_in_time_escalates_to_the_lead_once_however_often_the_sweep_runs(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(provider, clock: clock);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var lee = await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        await w.PersonAsync("Maria", "maria@example.com", "agent", care);
        await TimerAsync(parley, w.Brand, new { name = "Escalate the unanswered", condition = "notAcknowledged", after = "00:30:00", action = "escalate" });
        var conversation = await w.CustomerTweetsAsync("hello? anyone?", "1", "ana");
        await w.AssignAsync(conversation, care);

        clock.Advance(TimeSpan.FromMinutes(29));
        await SweepAsync(parley);
        Assert.Empty(await FiredAsync(parley));

        clock.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 3; i++) await SweepAsync(parley);
        clock.Advance(TimeSpan.FromHours(5));
        for (var i = 0; i < 3; i++) await SweepAsync(parley);

        var fired = Assert.Single(await FiredAsync(parley)).GetProperty("data");
        Assert.Equal("Escalate the unanswered", fired.GetProperty("rule").GetString());
        Assert.Equal("escalate", fired.GetProperty("action").GetString());
        Assert.Equal("Escalated.", fired.GetProperty("outcome").GetString());
        Assert.Equal(lee, (await parley.OwnersAsync([conversation]))[conversation]);
        var escalated = Assert.Single(await parley.EventsOfTypeAsync("conversation.escalated"));
        Assert.Equal(lee, escalated.GetProperty("data").GetProperty("to").GetGuid());
        Assert.Equal(1, await parley.WithDbAsync(db => db.Notifications.CountAsync(n => n.UserId == lee && n.Kind == "escalation")));
    }

    /// <summary>On SQLite a rule's firing writes under the lock webhook acknowledgements wait for: it takes its turn at
    /// the write gate (docs/adr/0042), and fires once when it gets it.</summary>
    [Fact]
    public async Task On_SQLite_the_sweep_waits_its_turn_at_the_write_gate_and_then_fires_once()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite, clock: clock);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var lee = await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        await TimerAsync(parley, w.Brand, new { name = "Escalate the unanswered", condition = "notAcknowledged", after = "00:30:00", action = "escalate" });
        var conversation = await w.CustomerTweetsAsync("hello? anyone?", "1", "ana");
        await w.AssignAsync(conversation, care);

        // Moving the clock ticks the server's own sweep too, which waits at the gate as well.
        await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, () =>
        {
            clock.Advance(TimeSpan.FromMinutes(31));
            return SweepAsync(parley);
        });

        Assert.Single(await FiredAsync(parley));
        Assert.Equal(lee, (await parley.OwnersAsync([conversation]))[conversation]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_silent_customer_is_asked_after_three_days_and_closed_after_seven_each_once_across_a_restart(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var database = await TestDatabase.CreateAsync(provider);
        Guid conversation;
        await using (var parley = await TestParley.StartAsync(provider, clock: clock, database: database))
        {
            var w = await Workspace.CreateAsync(parley);
            await TimerAsync(parley, w.Brand, new
            {
                name = "Check in", condition = "customerSilent", after = "3.00:00:00", action = "askIfResolved",
                message = "Hi {customer.name}, is there anything else we can do, or is this sorted?",
            });
            await TimerAsync(parley, w.Brand, new { name = "Tidy up", condition = "customerSilent", after = "7.00:00:00", action = "close" });
            conversation = await w.CustomerTweetsAsync("my order never came", "1", "ana");
            Assert.Equal(HttpStatusCode.Accepted, (await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies",
                new { text = "So sorry, a new one is on its way.", visibility = "public" })).StatusCode);

            clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
            for (var i = 0; i < 3; i++) await SweepAsync(parley);
            var asked = Assert.Single(await FiredAsync(parley)).GetProperty("data");
            Assert.Equal("askIfResolved", asked.GetProperty("action").GetString());
            var question = await parley.WithDbAsync(db => db.Messages.Where(m => m.ConversationId == conversation && m.Direction == MessageDirection.Outbound)
                .OrderByDescending(m => m.CreatedAt).FirstAsync());
            Assert.Equal("Hi ANA, is there anything else we can do, or is this sorted?", question.Text);
            Assert.Equal(ConversationState.WaitingOnCustomer,
                await parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.State).SingleAsync()));
        }

        // Parley restarts; the sweep starts from scratch with what the database remembers.
        clock.Advance(TimeSpan.FromDays(4));
        await using (var parley = await TestParley.StartAsync(provider, clock: clock, database: database))
        {
            for (var i = 0; i < 3; i++) await SweepAsync(parley);
            var fired = await FiredAsync(parley);
            Assert.Equal(["Check in", "Tidy up"], fired.Select(f => f.GetProperty("data").GetProperty("rule").GetString()));
            Assert.Equal(ConversationStatus.Resolved,
                await parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.Status).SingleAsync()));
            var resolved = (await parley.EventsOfTypeAsync("conversation.resolved")).Single().GetProperty("data");
            Assert.Equal("timer rule 'Tidy up'", resolved.GetProperty("by").GetString());
            // Apps tell automation from people by the actor, and which rule by its id.
            Assert.Equal("automation", resolved.GetProperty("actor").GetProperty("kind").GetString());
            Assert.Equal(fired[1].GetProperty("data").GetProperty("ruleId").GetGuid(), resolved.GetProperty("actor").GetProperty("id").GetGuid());
        }
    }

    [Fact]
    public async Task A_customer_who_answers_starts_a_new_silence_and_the_check_in_may_come_again()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(clock: clock);
        var w = await Workspace.CreateAsync(parley);
        await TimerAsync(parley, w.Brand, new { name = "Check in", condition = "customerSilent", after = "2.00:00:00", action = "askIfResolved", message = "All good now?" });
        var conversation = await w.CustomerTweetsAsync("my order never came", "1", "ana", at: clock.GetUtcNow().AddMinutes(-1));
        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "On its way.", visibility = "public" });

        clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await SweepAsync(parley);
        await w.CustomerTweetsAsync("not yet, still waiting", "1", "ana", at: clock.GetUtcNow());
        await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies", new { text = "Checking with the courier.", visibility = "public" });
        clock.Advance(TimeSpan.FromDays(1));
        await SweepAsync(parley);
        Assert.Single(await FiredAsync(parley));
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await SweepAsync(parley);
        await SweepAsync(parley);

        Assert.Equal(2, (await FiredAsync(parley)).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reassign_gives_a_neglected_conversation_to_someone_else_online_with_room(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(provider, clock: clock);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var bo = await w.PersonAsync("Bo", "bo@example.com", "agent", care);
        await TimerAsync(parley, w.Brand, new { name = "Pass it on", condition = "notAcknowledged", after = "00:15:00", action = "reassign", teamId = care });
        var first = await w.CustomerTweetsAsync("help", "1", "ana");
        var second = await w.CustomerTweetsAsync("help me too", "2", "ben");
        await w.AssignAsync(first, care, ana);
        await w.AssignAsync(second, care, ana);
        await w.AgentAsync(bo, "away");

        // Bo is away when the first comes due: it stays with Ana, and says why.
        clock.Advance(TimeSpan.FromMinutes(16));
        await SweepAsync(parley);
        await SweepAsync(parley);
        var fired = await FiredAsync(parley);
        Assert.Equal(2, fired.Count);
        Assert.All(fired, f => Assert.StartsWith("Not reassigned", f.GetProperty("data").GetProperty("outcome").GetString(), StringComparison.Ordinal));
        Assert.Equal(ana, (await parley.OwnersAsync([first]))[first]);

        // A new episode (the customer writes again, still unacknowledged) does not refire "not acknowledged": once per conversation.
        await w.AgentAsync(bo, "online");
        await w.CustomerTweetsAsync("hello??", "1", "ana", at: clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(30));
        await SweepAsync(parley);
        Assert.Equal(2, (await FiredAsync(parley)).Count);
        Assert.Equal(ana, (await parley.OwnersAsync([first]))[first]);
    }

    [Fact]
    public async Task Reassign_moves_it_from_the_owner_to_a_colleague()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var parley = await TestParley.StartAsync(clock: clock);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var ana = await w.PersonAsync("Ana", "ana@example.com", "agent", care);
        var bo = await w.PersonAsync("Bo", "bo@example.com", "agent", care);
        await TimerAsync(parley, w.Brand, new { name = "Pass it on", condition = "notAcknowledged", after = "00:15:00", action = "reassign" });
        var conversation = await w.CustomerTweetsAsync("help", "1", "ana");
        await w.AssignAsync(conversation, care, ana);
        clock.Advance(TimeSpan.FromMinutes(16));
        await w.AgentAsync(ana, "online");
        await w.AgentAsync(bo, "online");

        await SweepAsync(parley);

        Assert.Equal(bo, (await parley.OwnersAsync([conversation]))[conversation]);
        var change = (await parley.EventsOfTypeAsync("conversation.assigned")).Last().GetProperty("data");
        Assert.Equal(ana, change.GetProperty("previousAssigneeId").GetGuid());
        Assert.Equal("timer rule 'Pass it on'", change.GetProperty("by").GetString());
    }

    [Fact]
    public async Task Bad_timer_rules_are_refused_with_reasons_and_only_leads_and_admins_edit_them()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        await w.PersonAsync("Maria", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee", "lee@example.com", "lead", care);

        var bad = await parley.Client.PostAsJsonAsync("/api/v1/timer-rules", new
        {
            brandId = w.Brand, name = " ", condition = "whenever", after = "00:00:10", action = "askIfResolved", channelKind = "fax",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "condition", "after", "message", "channelKind" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var agent = await w.SignInAsync("maria@example.com");
        var rule = new { brandId = w.Brand, name = "Close quiet ones", condition = "customerSilent", after = "7.00:00:00", action = "close" };
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/api/v1/timer-rules", rule)).StatusCode);
        var lead = await w.SignInAsync("lee@example.com");
        var created = await lead.PostAsync("/api/v1/timer-rules", rule);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var changed = await lead.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/timer-rules/{id}")
        {
            Content = JsonContent.Create(rule with { name = "Close after ten days", after = "10.00:00:00" }),
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var listed = Assert.Single((await agent.GetJsonAsync("/api/v1/timer-rules")).EnumerateArray());
        Assert.Equal("10.00:00:00", listed.GetProperty("after").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/timer-rules/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/timer-rules/{id}"))).StatusCode);
    }
}
