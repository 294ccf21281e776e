using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Ingest;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.IngestTests;

/// <summary>The write turn's conflict check reads conversations straight into snapshots with a plain command
/// (docs/adr/0031). A snapshot read that way must equal one taken of the entity EF Core reads, or the check would
/// see a change nobody made (and prepare every batch twice) or miss one somebody made.</summary>
public sealed class SnapshotReaderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 15, 0, TimeSpan.Zero);
    private static readonly Guid Brand = Guid.Parse("0193a2b4-0000-7000-8000-000000000011");
    private static readonly Guid Channel = Guid.Parse("0193a2b4-0000-7000-8000-000000000012");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reads_the_values_EF_Core_reads_for_the_rows_asked_for(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var contact = new Contact { BrandId = Brand, DisplayName = "Ana Souza", CreatedAt = T0 };
        // One conversation with nulls where it can, one with as many values set as the model allows without other rows.
        var plain = new Conversation { BrandId = Brand, ChannelId = Channel, ContactId = contact.Id, CreatedAt = T0 };
        var busy = new Conversation { BrandId = Brand, ChannelId = Channel, ContactId = contact.Id, CreatedAt = T0.AddTicks(7) };
        busy.Record(new Message
        {
            ConversationId = busy.Id, ChannelId = Channel, Direction = MessageDirection.Inbound, Visibility = MessageVisibility.Public,
            Text = "ünïcode ✓ and a long enough text to clip", Author = "ana", ExternalId = "1", CreatedAt = T0.AddSeconds(1.234567),
        });
        busy.CustomerWrote(T0.AddSeconds(2));
        busy.Snooze(T0.AddDays(1), untilCustomerWrites: true);
        busy.NextClockCheckAt = T0.AddMinutes(5);
        var other = new Conversation { BrandId = Brand, ChannelId = Channel, ContactId = contact.Id, CreatedAt = T0 };
        await parley.WithDbAsync(db =>
        {
            db.AddRange(contact, plain, busy, other);
            return db.SaveChangesAsync();
        });

        var (expected, read) = await parley.WithDbAsync(async db =>
        {
            var shape = RowShape.Of<Conversation>(db);
            var expected = await db.Conversations.AsNoTracking().Where(c => c.Id == plain.Id || c.Id == busy.Id)
                .ToDictionaryAsync(c => c.Id, c => shape.Snapshot(c));
            await using var tx = await db.Database.BeginTransactionAsync();
            var read = await SnapshotReader.Of<Conversation>(db).ReadAsync(db, [busy.Id, plain.Id, Guid.NewGuid()], CancellationToken.None);
            return (expected, read);
        });

        Assert.Equal(2, expected.Count);
        Assert.Equal(expected.Keys.Order(), read.Keys.Order());
        foreach (var (id, values) in expected) Assert.Equal(values, read[id]);
        Assert.Contains(read[busy.Id], v => v is ConversationState.Snoozed);

        // The threading lookup makes its conversations and identities from such values with EF Core's materializer
        // (docs/adr/0046): every property as EF Core's own query gives it, and nothing else set.
        var identity = new ContactIdentity { ContactId = contact.Id, BrandId = Brand, Network = "x", ExternalId = "42", Handle = "ana", Followers = 12, Verified = true };
        await parley.WithDbAsync(db =>
        {
            db.Add(identity);
            return db.SaveChangesAsync();
        });
        var (efRows, plainRows, efIdentity, plainIdentity, emptyMessages) = await parley.WithDbAsync(async db =>
        {
            var shape = RowShape.Of<Conversation>(db);
            var efRows = await db.Conversations.AsNoTracking().Where(c => c.Id == plain.Id || c.Id == busy.Id)
                .ToDictionaryAsync(c => c.Id, c => shape.Snapshot(c));
            var rows = SnapshotReader.Of<Conversation>(db);
            await using var command = await PlainCommand.OpenAsync(db, CancellationToken.None);
            var made = await rows.EntitiesAsync<Conversation>(db, command,
                $"{rows.Select} WHERE {command.In<Conversation, Guid>("\"Id\"", nameof(Conversation.Id), [plain.Id, busy.Id])}", CancellationToken.None);
            var identities = SnapshotReader.Of<ContactIdentity>(db);
            await using var second = await PlainCommand.OpenAsync(db, CancellationToken.None);
            var madeIdentity = (await identities.EntitiesAsync<ContactIdentity>(db, second,
                $"{identities.Select} WHERE \"ExternalId\" = {second.Value<ContactIdentity>(nameof(ContactIdentity.ExternalId), "42")}", CancellationToken.None)).Single();
            var idShape = RowShape.Of<ContactIdentity>(db);
            var efIdentity = idShape.Snapshot(await db.ContactIdentities.AsNoTracking().SingleAsync(i => i.Id == identity.Id));
            return (efRows, made.ToDictionary(c => c.Id, c => shape.Snapshot(c)), efIdentity, idShape.Snapshot(madeIdentity),
                made.All(c => c.Messages.Count == 0) && !db.ChangeTracker.Entries().Any());
        });
        Assert.Equal(efRows.Keys.Order(), plainRows.Keys.Order());
        foreach (var (id, values) in efRows) Assert.Equal(values, plainRows[id]);
        Assert.Equal(efIdentity, plainIdentity);
        Assert.True(emptyMessages);
    }
}
