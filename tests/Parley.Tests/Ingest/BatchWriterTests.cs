using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.IngestTests;

/// <summary>The inbound processor writes its batches through prepared commands, not EF Core (docs/adr/0027). Every
/// other part of Parley reads those rows through EF Core, so they must be exactly the rows EF Core would write:
/// the same rows are written both ways into two databases and compared column by column as stored.</summary>
public sealed class BatchWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);
    private static readonly Guid Brand = Guid.Parse("0193a2b4-0000-7000-8000-000000000001");
    private static readonly Guid Channel = Guid.Parse("0193a2b4-0000-7000-8000-000000000002");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task New_and_changed_rows_are_stored_exactly_as_EF_Core_stores_them(string provider)
    {
        await using var byEf = await TestParley.StartAsync(provider);
        await using var byWriter = await TestParley.StartAsync(provider);

        await byEf.WithDbAsync(async db =>
        {
            var rows = Rows(provider);
            db.AddRange(rows.Contacts);
            db.AddRange(rows.Identities);
            db.AddRange(rows.Conversations);
            db.AddRange(rows.Messages);
            await db.SaveChangesAsync();
            // One at a time, so that EF Core's own order of inserts cannot differ from the order they happened.
            foreach (var e in rows.Events)
            {
                db.Events.Add(e);
                await db.SaveChangesAsync();
            }
            return 0;
        });
        await byWriter.WithDbAsync(db => WriteAsync(db, Rows(provider), new ReadRows(db)));

        // Then a later batch changes what it read: the conversation (a new message) and the identity (a new handle).
        await byEf.WithDbAsync(async db =>
        {
            await ChangeAsync(db, null);
            return await db.SaveChangesAsync();
        });
        await byWriter.WithDbAsync(async db =>
        {
            var read = new ReadRows(db);
            await ChangeAsync(db, read);
            return await WriteAsync(db, new ProcessedRows(), read);
        });

        foreach (var table in new[] { "Contacts", "ContactIdentities", "Conversations", "Messages" })
        {
            var expected = await ReadAsync(byEf, table, "Id");
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await ReadAsync(byWriter, table, "Id"));
        }
        // The log's own columns (sequence, PostgreSQL's transaction id) are the database's; the order is compared.
        // Only this test's events: starting Parley may log some of its own.
        Assert.Equal(await ReadAsync(byEf, "Events", "Seq", "Seq", "Tx"), await ReadAsync(byWriter, "Events", "Seq", "Seq", "Tx"));

        var media = await byWriter.WithDbAsync(db => db.Messages.AsNoTracking().Where(m => m.ChannelId == Channel).OrderBy(m => m.Id)
            .Select(m => m.Media).ToListAsync());
        Assert.Equal(2, media.Count);
        Assert.Equal([new MediaItem("photo", "https://pbs.example/1.jpg"), new MediaItem("video", "https://video.example/2.mp4")], media[0]);
        Assert.Empty(media[1]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_update_of_a_row_that_is_gone_fails_the_batch(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        await parley.WithDbAsync(db => WriteAsync(db, Rows(provider), new ReadRows(db)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => parley.WithDbAsync(async db =>
        {
            var read = new ReadRows(db);
            var identity = await db.ContactIdentities.AsNoTracking().SingleAsync(i => i.BrandId == Brand);
            read.Add(identity);
            var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.ChannelId == Channel);
            read.Add(conversation);
            await db.Database.ExecuteSqlAsync($"DELETE FROM \"Messages\" WHERE \"ConversationId\" = {conversation.Id}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM \"Conversations\" WHERE \"Id\" = {conversation.Id}");
            conversation.Resolve(T0.AddHours(1));
            identity.Handle = "ana_renamed";
            return await WriteAsync(db, new ProcessedRows(), read);
        }));
        Assert.Contains("found no row", error.Message, StringComparison.Ordinal);
        // Nothing of the batch is committed.
        Assert.Equal("ana", await parley.WithDbAsync(db => db.ContactIdentities.Where(i => i.BrandId == Brand).Select(i => i.Handle).SingleAsync()));
    }

    private static async Task<int> WriteAsync(ParleyDb db, ProcessedRows rows, ReadRows read)
    {
        await using var tx = await db.Database.BeginTransactionAsync();
        await BatchWriter.WriteAsync(db, rows, read, CancellationToken.None);
        await tx.CommitAsync();
        return 0;
    }

    /// <summary>Changes a conversation and an identity: read tracked by EF Core (<paramref name="read"/> null), or
    /// untracked into <paramref name="read"/> as a batch reads them, then changed in memory.</summary>
    private static async Task ChangeAsync(ParleyDb db, ReadRows? read)
    {
        var conversation = await (read is null ? db.Conversations : db.Conversations.AsNoTracking()).SingleAsync(c => c.ChannelId == Channel);
        var identity = await (read is null ? db.ContactIdentities : db.ContactIdentities.AsNoTracking()).SingleAsync(i => i.BrandId == Brand);
        read?.Add(conversation);
        read?.Add(identity);
        conversation.Resolve(T0.AddMinutes(30));
        identity.Handle = "ana_renamed";
        identity.Followers = 12_345;
    }

    /// <summary>The same rows each time it is called (fixed ids), with nulls, enums, times, text, JSON and numbers. On
    /// SQLite the text also holds a NUL and a lone surrogate, which PostgreSQL refuses but SQLite stores (the writer
    /// binds text itself there, docs/adr/0033).</summary>
    private static ProcessedRows Rows(string provider)
    {
        var rows = new ProcessedRows();
        var contact = new Contact { Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000c1"), BrandId = Brand, DisplayName = "Ana Souza", CreatedAt = T0, Value = 1234.50m };
        rows.Contacts.Add(contact);
        rows.Identities.Add(new ContactIdentity
        {
            Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000d1"), ContactId = contact.Id, BrandId = Brand, Network = "x", ExternalId = "456",
            Handle = "ana", DisplayName = null, Followers = 120, Verified = true,
        });
        var conversation = new Conversation { Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000e1"), BrandId = Brand, ChannelId = Channel, ContactId = contact.Id, CreatedAt = T0 };
        rows.Conversations.Add(conversation);
        var first = new Message
        {
            Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000f1"), ConversationId = conversation.Id, ChannelId = Channel,
            Direction = MessageDirection.Inbound, Visibility = MessageVisibility.Public, Text = "@brand my card 4111 was charged twice ünïcode ✓" + (provider == TestDatabase.Sqlite ? " \0 \uD800 end" : ""),
            Author = "ana", ExternalId = "5001", CreatedAt = T0.AddSeconds(1.234567), Signals = """{"u":1}""",
            Media = [new MediaItem("photo", "https://pbs.example/1.jpg"), new MediaItem("video", "https://video.example/2.mp4")],
        };
        var second = new Message
        {
            Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000f2"), ConversationId = conversation.Id, ChannelId = Channel,
            Direction = MessageDirection.Outbound, Visibility = MessageVisibility.Private, Text = "", Author = "brand",
            ExternalId = "5002", InReplyToExternalId = "5001", CreatedAt = T0.AddMinutes(2),
        };
        foreach (var m in new[] { first, second })
        {
            rows.Messages.Add(m);
            conversation.Record(m);
        }
        conversation.CustomerWrote(T0.AddSeconds(2));
        rows.Events.Add(new Event { Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000a1"), Type = "conversation.created", Subject = $"conversations/{conversation.Id}", BrandId = Brand, OccurredAt = T0, DataVersion = 2, Data = """{"a":1}""" });
        rows.Events.Add(new Event { Id = Guid.Parse("0193a2b4-0000-7000-8000-0000000000a2"), Type = "message.received", Subject = $"conversations/{conversation.Id}", BrandId = null, OccurredAt = T0.AddTicks(1), Data = """{"b":"ü"}""" });
        return rows;
    }

    private static Task<List<string>> ReadAsync(TestParley parley, string table, string orderBy, params string[] skip) =>
        StoredRows.ReadAsync(parley, table, orderBy, table == "Events" ? "\"Subject\" LIKE 'conversations/0193a2b4-%'" : "", skip);
}
