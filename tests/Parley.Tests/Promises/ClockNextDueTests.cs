using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Conversations;
using Parley.Promises;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Promises;

/// <summary>The next-due design (docs/adr/0014): each open conversation carries when its next warning or breach is
/// due, every kind of change keeps it right, the sweep reads only what is due, announces each event once, also
/// across a restart and with two sweeps at once, and sleeps until the next due instant.</summary>
public sealed class ClockNextDueTests
{
    private static readonly TimeSpan Ack = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Lead = TimeSpan.FromMinutes(10);

    private static async Task<Guid> CustomerTweetsAsync(TestParley parley, Guid channel, string id, string user, DateTimeOffset at)
    {
        var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, "@acme where is my refund", new SimXUser(user, "u" + user, "User " + user), at));
        Assert.Equal(HttpStatusCode.OK, (await parley.PostXWebhookAsync(channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode);
        await parley.DrainInboundAsync();
        return await parley.WithDbAsync(db => db.Conversations.Where(c => c.Contact!.Identities.Any(i => i.Handle == "u" + user)).Select(c => c.Id).SingleAsync());
    }

    private static object Policy(Guid brand, string resolve) => new
    {
        brandId = brand, name = "X mentions", channelKind = "x", timeToAcknowledge = "00:30:00", timeToResolve = resolve,
        warningLeadTimes = new[] { "00:10:00" },
    };

    private static async Task<Guid> PolicyAsync(TestParley parley, object body)
    {
        var response = await parley.Client.PostAsJsonAsync("/api/v1/service-levels", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>A server on the test's clock with a brand, an X channel and a policy: acknowledge in 30 minutes
    /// (warning 10 before), resolve in a day.</summary>
    private static async Task<(TestParley Parley, ManualClock Clock, Guid Brand, Guid Channel, Guid Policy)> StartWithPolicyAsync(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var parley = await TestParley.StartAsync(provider, clock: clock);
        var brand = await parley.CreateBrandAsync();
        var channel = await parley.CreateXChannelAsync(brandId: brand);
        return (parley, clock, brand, channel, await PolicyAsync(parley, Policy(brand, "1.00:00:00")));
    }

    private static Task<DateTimeOffset?> NextDueAsync(TestParley parley, Guid conversation) =>
        parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.NextClockCheckAt).SingleAsync());

    /// <summary>The next due instant once a sweep pass has seen the conversation. The server's own sweep runs too, and
    /// on PostgreSQL a pass skips a row another pass holds (SKIP LOCKED, docs/adr/0014), so this passes again while
    /// the row is still due now, for a few seconds at most; every instant this test expects lies in the future.</summary>
    private static async Task<DateTimeOffset?> AfterPassAsync(TestParley parley, Guid conversation)
    {
        var now = parley.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        for (var pass = 1; ; pass++)
        {
            await parley.App.Services.GetRequiredService<ServiceLevelSweep>().RunOnceAsync(CancellationToken.None);
            var next = await NextDueAsync(parley, conversation);
            if (next is null || next > now || pass == 50) return next;
            await Task.Delay(100);
        }
    }

    private static Task<List<(string Type, Guid Conversation, DateTimeOffset OccurredAt, DateTimeOffset At)>> ClockEventsAsync(TestParley parley) =>
        parley.WithDbAsync(async db => (await db.Events.AsNoTracking()
                .Where(e => e.Type == "service_level.warning" || e.Type == "service_level.breached").OrderBy(e => e.Seq).ToListAsync())
            .Select(e =>
            {
                var data = JsonDocument.Parse(e.Data).RootElement;
                return (e.Type, data.GetProperty("conversationId").GetGuid(), e.OccurredAt, data.GetProperty("at").GetDateTimeOffset());
            }).ToList());

    // Within a second: the network's timestamps (a tweet's) are coarser than the test's clock; what is checked
    // here moves by minutes to days.
    private static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset? actual) =>
        Assert.True(actual is { } a && Math.Abs((a - expected).TotalSeconds) < 1, $"expected {expected:O}, was {actual:O}");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_next_due_instant_follows_messages_replies_policy_changes_and_pauses(string provider)
    {
        var (parley, clock, brand, channel, policy) = await StartWithPolicyAsync(provider);
        await using var _ = parley;
        var wrote = clock.GetUtcNow().AddMinutes(-5);

        // A customer's message starts the acknowledge clock: next due is its warning.
        var conversation = await CustomerTweetsAsync(parley, channel, "7001", "1", wrote);
        AssertSameInstant(wrote + Ack - Lead, await AfterPassAsync(parley, conversation));

        // Our reply meets the acknowledge clock: next due is the resolve clock's warning.
        Assert.Equal(HttpStatusCode.Accepted, (await parley.Client.PostAsJsonAsync($"/api/v1/conversations/{conversation}/replies",
            new { text = "On it!", visibility = "public" })).StatusCode);
        AssertSameInstant(wrote + TimeSpan.FromDays(1) - Lead, await AfterPassAsync(parley, conversation));

        // A changed policy moves it.
        Assert.True((await parley.Client.PutAsJsonAsync($"/api/v1/service-levels/{policy}", Policy(brand, "2.00:00:00"))).IsSuccessStatusCode);
        AssertSameInstant(wrote + TimeSpan.FromDays(2) - Lead, await AfterPassAsync(parley, conversation));

        // Waiting on the customer pauses the clock: nothing can come due until something changes.
        Assert.True((await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/wait", null)).IsSuccessStatusCode);
        Assert.Null(await AfterPassAsync(parley, conversation));

        // An hour later the customer writes again, which ends the wait: the hour paused is added.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(conversation, await CustomerTweetsAsync(parley, channel, "7002", "1", clock.GetUtcNow()));
        AssertSameInstant(wrote + TimeSpan.FromDays(2) + TimeSpan.FromHours(1) - Lead, await AfterPassAsync(parley, conversation));

        // Resolved, it leaves the sweep's index range (the sweep reads open conversations only).
        Assert.True((await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/resolve", null)).IsSuccessStatusCode);
        Assert.Equal(0, await parley.App.Services.GetRequiredService<ServiceLevelSweep>().RunOnceAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_event_is_announced_once_with_two_sweeps_at_once_and_after_a_restart(string provider)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var database = await TestDatabase.CreateAsync(provider);
        Guid late, soon;
        await using (var parley = await TestParley.StartAsync(provider, clock: clock, database: database))
        {
            var brand = await parley.CreateBrandAsync();
            var channel = await parley.CreateXChannelAsync(brandId: brand);
            await PolicyAsync(parley, Policy(brand, "1.00:00:00"));
            late = await CustomerTweetsAsync(parley, channel, "7101", "1", clock.GetUtcNow().AddHours(-2));
            soon = await CustomerTweetsAsync(parley, channel, "7102", "2", clock.GetUtcNow().AddMinutes(-25));
            // A second node's sweep, racing this one's over the same due conversations.
            var other = ActivatorUtilities.CreateInstance<ServiceLevelSweep>(parley.App.Services);
            var ours = parley.App.Services.GetRequiredService<ServiceLevelSweep>();
            await Task.WhenAll(ours.RunOnceAsync(CancellationToken.None), other.RunOnceAsync(CancellationToken.None), ours.RunOnceAsync(CancellationToken.None));
        }
        clock.Advance(TimeSpan.FromMinutes(6));
        await using (var parley = await TestParley.StartAsync(provider, clock: clock, database: database))
        {
            for (var i = 0; i < 2; i++) await parley.App.Services.GetRequiredService<ServiceLevelSweep>().RunOnceAsync(CancellationToken.None);
            var events = await ClockEventsAsync(parley);
            // The late one: its breach (a warning first seen after the breach is dropped as noise). The other: its
            // warning, and after the restart its breach.
            Assert.Equal("service_level.breached", Assert.Single(events, e => e.Conversation == late).Type);
            Assert.Equal(["service_level.warning", "service_level.breached"], events.Where(e => e.Conversation == soon).Select(e => e.Type));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_warning_fires_within_five_seconds_of_its_due_time_while_the_sweep_sleeps_until_then(string provider)
    {
        // The background sweep's own loop, on the real clock: nothing here runs a pass by hand.
        await using var parley = await TestParley.StartAsync(provider);
        var brand = await parley.CreateBrandAsync();
        var channel = await parley.CreateXChannelAsync(brandId: brand);
        await PolicyAsync(parley, Policy(brand, "1.00:00:00"));
        var dueIn = TimeSpan.FromSeconds(3);
        var conversation = await CustomerTweetsAsync(parley, channel, "7201", "1", DateTimeOffset.UtcNow - (Ack - Lead) + dueIn);

        var until = DateTimeOffset.UtcNow.AddSeconds(20);
        List<(string Type, Guid Conversation, DateTimeOffset OccurredAt, DateTimeOffset At)> events;
        do
        {
            await Task.Delay(250);
            events = await ClockEventsAsync(parley);
        } while (events.Count == 0 && DateTimeOffset.UtcNow < until);

        var warning = Assert.Single(events);
        Assert.Equal(conversation, warning.Conversation);
        var late = warning.OccurredAt - warning.At;
        Assert.True(late >= TimeSpan.Zero && late <= TimeSpan.FromSeconds(5), $"announced {late.TotalMilliseconds:0} ms after it was due");
    }

    /// <summary>On SQLite the sweep's writes hold the lock webhook acknowledgements wait for: each takes its turn at the
    /// write gate (docs/adr/0042), and the warning is announced once when it gets it.</summary>
    [Fact]
    public async Task On_SQLite_the_sweep_waits_its_turn_at_the_write_gate_and_then_announces_the_warning_once()
    {
        var (parley, clock, _, channel, _) = await StartWithPolicyAsync(TestDatabase.Sqlite);
        await using var _ = parley;
        var wrote = clock.GetUtcNow().AddMinutes(-5);
        var conversation = await CustomerTweetsAsync(parley, channel, "7301", "1", wrote);
        AssertSameInstant(wrote + Ack - Lead, await AfterPassAsync(parley, conversation));

        var sweep = parley.App.Services.GetRequiredService<ServiceLevelSweep>();
        // Moving the clock may wake the server's own sweep too, which waits at the gate as well.
        await WriteGateHold.FinishesOnlyAfterTheGateAsync(parley, () =>
        {
            clock.Advance(Ack - Lead);
            return sweep.RunOnceAsync(CancellationToken.None);
        });

        var warning = Assert.Single(await ClockEventsAsync(parley));
        Assert.Equal(conversation, warning.Conversation);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pass_that_read_a_conversation_before_a_policy_change_cannot_settle_it_with_the_old_policy(string provider)
    {
        var (parley, clock, brand, channel, policy) = await StartWithPolicyAsync(provider);
        await using var _ = parley;
        var wrote = clock.GetUtcNow().AddMinutes(-5);
        var conversation = await CustomerTweetsAsync(parley, channel, "7101", "1", wrote);

        // A pass reads the conversation while it carries a mark from an earlier change (and the old policy)...
        await parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextClockCheckAt, Conversation.ClocksChanged)));
        var read = await parley.WithDbAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversation));
        // ...then the policy changes...
        Assert.True((await parley.Client.PutAsJsonAsync($"/api/v1/service-levels/{policy}", Policy(brand, "2.00:00:00"))).IsSuccessStatusCode);
        // ...then the pass writes what it computed from the old policy: the change's new mark refuses it.
        var stale = new DateTimeOffset(clock.GetUtcNow().AddDays(77).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await parley.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await NextLooks.WriteAsync(db, [(read, stale)], CancellationToken.None);
            await tx.CommitAsync();
            return 0;
        });
        Assert.NotEqual(stale, await NextDueAsync(parley, conversation));
        // The next pass evaluates it with the new policy.
        AssertSameInstant(wrote + Ack - Lead, await AfterPassAsync(parley, conversation));
    }

    [Fact]
    public void The_sweep_sleeps_until_the_next_due_instant_but_never_longer_than_five_seconds()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TimeSpan.FromSeconds(2), ServiceLevelSweep.SleepAfter(now.AddSeconds(2), now));
        Assert.Equal(ServiceLevelSweep.MaxSleep, ServiceLevelSweep.SleepAfter(now.AddHours(1), now));
        Assert.Equal(ServiceLevelSweep.MaxSleep, ServiceLevelSweep.SleepAfter(null, now));
        Assert.Equal(TimeSpan.Zero, ServiceLevelSweep.SleepAfter(now.AddSeconds(-1), now));
        Assert.Equal(TimeSpan.FromSeconds(5), ServiceLevelSweep.MaxSleep);
    }
}
