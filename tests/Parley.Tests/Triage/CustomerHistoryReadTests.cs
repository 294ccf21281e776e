using Parley.Conversations;
using Parley.Tests.Infrastructure;
using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>A batch reads its customers' recent messages with one query (docs/adr/0023, 0037). For every customer it must
/// find exactly the messages the per-customer read finds: the newest forty inbound ones since the cut-off, in any of
/// their conversations, newest first, whatever the outbound messages, older messages and other customers around them.</summary>
public sealed class CustomerHistoryReadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Brand = Guid.Parse("0193a2b4-0000-7000-8000-000000000031");
    private static readonly Guid Channel = Guid.Parse("0193a2b4-0000-7000-8000-000000000032");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_batch_read_finds_for_each_customer_what_the_per_customer_read_finds(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var external = 0;
        Message Post(Conversation c, MessageDirection direction, DateTimeOffset at) => new()
        {
            ConversationId = c.Id, ChannelId = Channel, Direction = direction, Visibility = external % 3 == 0 ? MessageVisibility.Private : MessageVisibility.Public,
            Text = $"message {external}", Author = "someone", ExternalId = $"m{external++}", CreatedAt = at,
            Signals = direction == MessageDirection.Inbound ? "{\"sentiment\":{\"label\":\"neutral\",\"score\":0,\"confidence\":0." + external + "}}" : null,
        };
        var rows = new List<object>();
        Contact Customer(string name)
        {
            var contact = new Contact { BrandId = Brand, DisplayName = name, CreatedAt = T0 };
            rows.Add(contact);
            return contact;
        }
        Conversation ConversationOf(Contact contact)
        {
            var c = new Conversation { BrandId = Brand, ChannelId = Channel, ContactId = contact.Id, CreatedAt = T0 };
            rows.Add(c);
            return c;
        }

        // Ana: a hundred unanswered messages in one conversation (more than forty), a few in another, brand replies
        // between them, and messages from before the cut-off.
        var ana = Customer("Ana");
        var busy = ConversationOf(ana);
        var quiet = ConversationOf(ana);
        for (var i = 0; i < 100; i++) rows.Add(Post(busy, MessageDirection.Inbound, T0.AddHours(10).AddMinutes(i * 7)));
        for (var i = 0; i < 5; i++) rows.Add(Post(quiet, MessageDirection.Inbound, T0.AddHours(10).AddMinutes(500 + i * 40).AddSeconds(30)));
        for (var i = 0; i < 20; i++) rows.Add(Post(busy, MessageDirection.Outbound, T0.AddHours(10).AddMinutes(i * 30 + 1)));
        for (var i = 0; i < 10; i++) rows.Add(Post(quiet, MessageDirection.Inbound, T0.AddMinutes(i)));
        // Ben: three messages; Cleo: none since the cut-off; Dan: no conversation at all.
        var ben = Customer("Ben");
        var bens = ConversationOf(ben);
        for (var i = 0; i < 3; i++) rows.Add(Post(bens, MessageDirection.Inbound, T0.AddHours(11).AddMinutes(i)));
        var cleo = Customer("Cleo");
        rows.Add(Post(ConversationOf(cleo), MessageDirection.Inbound, T0.AddMinutes(5)));
        var dan = Customer("Dan");
        await parley.WithDbAsync(db =>
        {
            db.AddRange(rows);
            return db.SaveChangesAsync();
        });

        var since = T0.AddHours(9);
        Guid[] customers = [ana.Id, ben.Id, cleo.Id, dan.Id];
        var (batch, each) = await parley.WithDbAsync(async db =>
        {
            var profiles = await TriageStore.LoadProfilesAsync(db, customers, CancellationToken.None);
            var batch = await TriageStore.LoadPostsAsync(db, customers, profiles.Conversations, since, TriageStore.MaxContextPosts, CancellationToken.None);
            var each = new Dictionary<Guid, List<StoredPost>>();
            foreach (var id in customers)
                each[id] = await TriageStore.LoadPostsAsync(db, id, since, TriageStore.MaxContextPosts, CancellationToken.None);
            return (batch, each);
        });

        Assert.Equal(40, each[ana.Id].Count);
        Assert.Contains(each[ana.Id], p => p.ConversationId == quiet.Id);
        Assert.Equal(3, each[ben.Id].Count);
        Assert.Empty(each[cleo.Id]);
        foreach (var id in customers)
        {
            Assert.Equal(each[id].Select(p => p.Id), batch[id].Select(p => p.Id));
            Assert.Equal(each[id], batch[id]);
        }
    }
}
