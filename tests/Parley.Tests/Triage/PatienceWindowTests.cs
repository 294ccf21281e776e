using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;
using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>A customer who posts in bursts is given a moment to finish: the burst is read whole, and the
/// conversation is ranked (and announced ready) only when the customer stops.</summary>
public sealed class PatienceWindowTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_burst_is_read_whole_and_ranked_once_the_customer_stops(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        await w.PutTriageAsync(new { patienceWindow = "00:00:03", patienceMaxHold = "00:00:20" });
        var dana = Customers.Person("4242", "dana");

        var conversation = await w.TweetAsync(dana, "my flight", DateTimeOffset.UtcNow);
        var first = await parley.TriageOfAsync(conversation);
        Assert.True(first.GetProperty("writing").GetBoolean());
        Assert.Equal(0, first.GetProperty("rankedPriority").GetInt32()); // not ranked while the customer is writing
        var firstReady = first.GetProperty("readyAt").GetDateTimeOffset();

        Assert.Equal(conversation, await w.TweetAsync(dana, "was cancelled", DateTimeOffset.UtcNow));
        Assert.Equal(conversation, await w.TweetAsync(dana, "and nobody answers", DateTimeOffset.UtcNow));
        var whole = await parley.TriageOfAsync(conversation);
        Assert.True(whole.GetProperty("writing").GetBoolean());
        Assert.True(whole.GetProperty("readyAt").GetDateTimeOffset() > firstReady); // each message extends the window
        Assert.Equal(first.GetProperty("burstStartedAt").GetDateTimeOffset(), whole.GetProperty("burstStartedAt").GetDateTimeOffset());
        // Read together, "my flight" / "was cancelled" is a stranded traveller; no single message says so.
        Assert.Contains("stranded traveller", Customers.Reasons(whole));
        Assert.Equal(3, whole.GetProperty("signals").GetProperty("messagesRead").GetInt32());
        Assert.Equal(1, whole.GetProperty("signals").GetProperty("customer").GetProperty("contactsToday").GetInt32());
        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        Assert.All(detail.GetProperty("messages").EnumerateArray(),
            m => Assert.DoesNotContain("stranded", Customers.Strings(m.GetProperty("signals").GetProperty("urgency"))));

        // Once the window has passed: ranked by its priority, and announced once.
        var ready = await TestParley.EventuallyAsync(async () =>
        {
            var t = await parley.TriageOfAsync(conversation);
            return t.GetProperty("writing").GetBoolean() ? null : (object)t;
        }, "the burst to complete", TimeSpan.FromSeconds(20));
        var after = await parley.TriageOfAsync(conversation);
        Assert.Equal(after.GetProperty("priority").GetInt32(), after.GetProperty("rankedPriority").GetInt32());
        Assert.True(after.GetProperty("rankedPriority").GetInt32() > 0);
        var completed = (await parley.AllEventsAsync()).Where(e => e.GetProperty("type").GetString() == "triage.burst_completed").ToList();
        var only = Assert.Single(completed);
        Assert.Equal(conversation, only.GetProperty("data").GetProperty("conversationId").GetGuid());
        Assert.Contains("stranded traveller", Customers.Strings(only.GetProperty("data").GetProperty("reasons")));
        Assert.NotNull(ready);
    }

    /// <summary>On SQLite the sweep's transaction holds the write lock that webhook acknowledgements wait for, so it
    /// takes its turn at the write gate like the ingest writer and the processor (docs/adr/0040): while another writer
    /// holds the gate, nothing is announced; once it lets go, every due burst is.</summary>
    [Fact]
    public async Task On_SQLite_the_sweep_waits_its_turn_at_the_write_gate_and_then_announces_every_due_burst()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var w = await Workspace.CreateAsync(parley);
        await w.PutTriageAsync(new { patienceWindow = "00:00:06", patienceMaxHold = "00:00:30" });
        var conversations = new List<Guid>();
        for (var i = 0; i < 12; i++)
            conversations.Add(await w.TweetAsync(Customers.Person($"{6000 + i}", $"customer{i}"), "my order never came", DateTimeOffset.UtcNow));

        var gate = parley.App.Services.GetRequiredService<WriteGate>();
        using (await gate.EnterAsync(CancellationToken.None))
        {
            var held = new List<Guid>();
            var lastReady = DateTimeOffset.MinValue;
            foreach (var c in conversations)
            {
                var triage = await parley.TriageOfAsync(c);
                if (!triage.GetProperty("writing").GetBoolean()) continue;
                held.Add(c);
                var readyAt = triage.GetProperty("readyAt").GetDateTimeOffset();
                if (readyAt > lastReady) lastReady = readyAt;
            }
            Assert.NotEmpty(held);
            // Past every window, with two of the sweep's one-second ticks to spare: held at the gate, it announced nothing.
            await Task.Delay(lastReady - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2.5));
            foreach (var c in held) Assert.True((await parley.TriageOfAsync(c)).GetProperty("writing").GetBoolean());
        }

        await TestParley.EventuallyAsync(async () =>
        {
            var completed = (await parley.AllEventsAsync()).Count(e => e.GetProperty("type").GetString() == "triage.burst_completed");
            return completed == conversations.Count ? (object)completed : null;
        }, "every burst to be announced", TimeSpan.FromSeconds(20));
        foreach (var c in conversations) Assert.False((await parley.TriageOfAsync(c)).GetProperty("writing").GetBoolean());
    }

    /// <summary>On SQLite the sweep reads the due bursts inside its write turn, while acknowledgements wait: the read must
    /// search the (ReadyAnnounced, ReadyAt) index. Written as "NOT ReadyAnnounced" it scanned and sorted every
    /// conversation (docs/adr/0042). The statement is the one the sweep sends, with its parameters (a plain command since
    /// docs/adr/0049, which EF Core's diagnostics no longer see).</summary>
    [Fact]
    public async Task On_SQLite_the_sweeps_read_of_due_bursts_searches_its_index_rather_than_every_conversation()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Sqlite);
        var plan = await parley.WithDbAsync(async db =>
        {
            await using var command = await PlainCommand.OpenAsync(db, CancellationToken.None);
            var read = DueBursts.ReadSql(command, DateTimeOffset.UtcNow, 64);
            Assert.Contains("FROM \"Conversations\"", read, StringComparison.Ordinal);
            var lines = new List<string>();
            await using var r = await command.ReadAsync("EXPLAIN QUERY PLAN " + read, CancellationToken.None);
            while (await r.ReadAsync()) lines.Add(r.GetString(3));
            return lines;
        });

        Assert.Contains(plan, l => l.Contains("USING INDEX IX_Conversations_ReadyAnnounced_ReadyAt (ReadyAnnounced=?", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.StartsWith("SCAN", StringComparison.Ordinal) || l.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    /// <summary>On PostgreSQL the sweep and a processing batch both lock conversations. The processor locks the ones it
    /// read in key order; the sweep updated its due bursts in the order they came due, so each could hold a row the
    /// other waited for, and PostgreSQL ended one of them (40P01, seen under the ingest benchmark). Here another
    /// transaction holds the lower conversation while the sweep runs, then asks for the higher one, which came due first:
    /// the sweep must not be holding it.</summary>
    [Fact]
    public async Task On_PostgreSQL_the_sweep_locks_due_bursts_in_key_order_so_a_processing_batch_cannot_deadlock_with_it()
    {
        await using var parley = await TestParley.StartAsync(TestDatabase.Postgres);
        var sweep = parley.App.Services.GetRequiredService<Parley.Triage.PatienceWindowSweep>();
        await sweep.StopAsync(CancellationToken.None);
        var w = await Workspace.CreateAsync(parley);
        await w.PutTriageAsync(new { patienceWindow = "00:10:00", patienceMaxHold = "00:30:00" });
        var a = await w.TweetAsync(Customers.Person("7101", "ana"), "my order never came", DateTimeOffset.UtcNow);
        var b = await w.TweetAsync(Customers.Person("7102", "ben"), "my order never came", DateTimeOffset.UtcNow);
        // PostgreSQL's order of uuids is their text's.
        var (low, high) = string.CompareOrdinal(a.ToString(), b.ToString()) < 0 ? (a, b) : (b, a);
        var now = DateTimeOffset.UtcNow;
        await parley.WithDbAsync(async db =>
        {
            await db.Conversations.Where(c => c.Id == high).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAt, now.AddSeconds(-20)));
            return await db.Conversations.Where(c => c.Id == low).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAt, now.AddSeconds(-10)));
        });

        await using var other = new NpgsqlConnection(parley.Database.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await LockAsync(other, tx, low);
        var sweeping = sweep.RunOnceAsync(CancellationToken.None);
        await TestParley.EventuallyAsync(async () => await WaitingForLocksAsync(parley) > 0 ? "" : null, "the sweep to wait for the held row");

        await using (var timeout = new NpgsqlCommand("SET LOCAL lock_timeout = '10s'", other, tx)) await timeout.ExecuteNonQueryAsync();
        await LockAsync(other, tx, high); // before the fix: the sweep held it, and one of the two was ended as a deadlock
        await tx.CommitAsync();

        Assert.Equal(2, await sweeping.WaitAsync(TimeSpan.FromSeconds(30)));
        foreach (var c in new[] { low, high }) Assert.False((await parley.TriageOfAsync(c)).GetProperty("writing").GetBoolean());
    }

    /// <summary>The sweep writes its events itself since docs/adr/0049 (plain commands and the batch writer's prepared
    /// statements, not <c>SaveChanges</c>): each is the event <see cref="Parley.Triage.TriageStore.AppendReady(ParleyDb, Guid, Guid, int, IReadOnlyList{string}, DateTimeOffset?, DateTimeOffset?, DateTimeOffset)"/>
    /// would have added for the conversation, byte for byte, in the order the bursts came due; a conversation resolved
    /// meanwhile is marked but not announced, and an announced burst is ranked by its priority.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_sweep_announces_due_bursts_in_the_order_they_came_due_with_the_events_the_context_would_have_written(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var sweep = parley.App.Services.GetRequiredService<PatienceWindowSweep>();
        await sweep.StopAsync(CancellationToken.None);
        var w = await Workspace.CreateAsync(parley);
        await w.PutTriageAsync(new { patienceWindow = "00:10:00", patienceMaxHold = "00:30:00" });
        var late = await w.TweetAsync(Customers.Person("7201", "ana"), "my flight was cancelled and nobody answers", DateTimeOffset.UtcNow);
        var first = await w.TweetAsync(Customers.Person("7202", "ben"), "where is my refund?? second time asking", DateTimeOffset.UtcNow);
        var resolved = await w.TweetAsync(Customers.Person("7203", "cy"), "thanks, all sorted", DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow;
        await parley.WithDbAsync(async db =>
        {
            await db.Conversations.Where(c => c.Id == first).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAt, now.AddSeconds(-30)));
            await db.Conversations.Where(c => c.Id == resolved).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAt, now.AddSeconds(-25))
                .SetProperty(c => c.Status, ConversationStatus.Resolved));
            return await db.Conversations.Where(c => c.Id == late).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReadyAt, now.AddSeconds(-20)));
        });
        var before = await parley.WithDbAsync(db => db.Events.MaxAsync(e => e.Seq));

        Assert.Equal(3, await sweep.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await sweep.RunOnceAsync(CancellationToken.None));

        var written = await parley.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.Seq > before).OrderBy(e => e.Seq).ToListAsync());
        var conversations = await parley.WithDbAsync(db => db.Conversations.AsNoTracking().Where(c => c.Id == first || c.Id == late || c.Id == resolved)
            .ToDictionaryAsync(c => c.Id));
        Assert.Equal([$"conversations/{first}", $"conversations/{late}"], written.Select(e => e.Subject));
        foreach (var e in written)
        {
            var c = conversations[Guid.Parse(e.Subject["conversations/".Length..])];
            Assert.Equal("triage.burst_completed", e.Type);
            Assert.Equal(w.Brand, e.BrandId);
            Assert.Equal(EventCatalogue.Find(e.Type)!.Version, e.DataVersion);
            Assert.InRange(e.OccurredAt, now.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal(EventLog.Serialize(new TriageBurstCompletedData(c.Id, c.Priority, StoredSignals.ReadReasons(c.PriorityReasons), c.BurstStartedAt, c.ReadyAt)), e.Data);
            Assert.True(c.ReadyAnnounced);
            Assert.Equal(c.Priority, c.RankedPriority);
        }
        Assert.Contains(written, e => conversations[Guid.Parse(e.Subject["conversations/".Length..])].Priority > 0);
        Assert.True(conversations[resolved].ReadyAnnounced);
        Assert.Single(written.Select(e => e.Tx).Distinct());
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid conversation)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM \"Conversations\" WHERE \"Id\" = $1 FOR UPDATE", connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = conversation });
        await command.ExecuteScalarAsync();
    }

    private static Task<long> WaitingForLocksAsync(TestParley parley) => parley.WithDbAsync(async db =>
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
        return (long)(await command.ExecuteScalarAsync())!;
    });

    [Fact]
    public async Task A_message_after_the_window_starts_a_new_burst_and_a_new_contact()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var dana = Customers.Person("4242", "dana");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-20);

        var conversation = await w.TweetAsync(dana, "my parcel", t0);
        await w.TweetAsync(dana, "has not arrived", t0.AddSeconds(40)); // within 45 s: joins
        var joined = await parley.TriageOfAsync(conversation);
        Assert.Equal(t0.ToUnixTimeSeconds(), joined.GetProperty("burstStartedAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(t0.AddSeconds(85).ToUnixTimeSeconds(), joined.GetProperty("readyAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(1, joined.GetProperty("signals").GetProperty("customer").GetProperty("contactsToday").GetInt32());

        await w.TweetAsync(dana, "anyone??", t0.AddSeconds(40 + 46)); // 46 s after the last: a new burst
        var split = await parley.TriageOfAsync(conversation);
        Assert.Equal(t0.AddSeconds(86).ToUnixTimeSeconds(), split.GetProperty("burstStartedAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(2, split.GetProperty("signals").GetProperty("customer").GetProperty("contactsToday").GetInt32());
        Assert.Contains("second contact today", Customers.Reasons(split));
        // Its window is long past (the network's clock says so): ranked at once.
        Assert.False(split.GetProperty("writing").GetBoolean());
        Assert.Equal(split.GetProperty("priority").GetInt32(), split.GetProperty("rankedPriority").GetInt32());

        // A customer who never stops is held at most the longest hold (2 minutes) from their first message.
        var eve = Customers.Person("5151", "eve");
        var t1 = DateTimeOffset.UtcNow.AddMinutes(-10);
        var other = Guid.Empty;
        for (var i = 0; i < 5; i++) other = await w.TweetAsync(eve, $"part {i}", t1.AddSeconds(35 * i));
        var capped = await parley.TriageOfAsync(other);
        Assert.Equal(t1.AddSeconds(140).ToUnixTimeSeconds(), capped.GetProperty("burstStartedAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }
}
