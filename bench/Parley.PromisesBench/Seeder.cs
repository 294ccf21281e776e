using System.Diagnostics;
using Parley.Channels;
using Parley.Conversations;
using Parley.Platform;
using Parley.Promises;

namespace Parley.PromisesBench;

/// <summary>Fills a fresh database with open conversations under a service-level policy, as Parley's own model
/// builds them (each a customer's public X mention, not yet answered), written in bulk. Each conversation's next
/// due instant is its acknowledge warning (20 minutes after the mention, with a 30-minute target and a 10-minute
/// lead), and those instants are spread evenly from <c>anchor</c> at <see cref="PromisesOptions.DuePerSecond"/>:
/// a run that starts its clock at the anchor sees that many warnings come due each second.</summary>
public static class Seeder
{
    public const int Chunk = 50_000;
    public static readonly TimeSpan Target = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(10);

    public sealed record Seeded(Guid BrandId, Guid ChannelId, TimeSpan Took);

    public static async Task<Seeded> SeedAsync(BenchDatabase database, PromisesOptions o, DateTimeOffset anchor)
    {
        var started = Stopwatch.GetTimestamp();
        var brand = new Brand { Name = "Bench Air", CreatedAt = anchor.AddDays(-30) };
        var channel = new Channel { BrandId = brand.Id, Kind = "x", Name = "@benchair", CreatedAt = anchor.AddDays(-30) };
        var policy = new ServiceLevelPolicyRecord
        {
            BrandId = brand.Id, Name = "X mentions", ChannelKind = "x", TimeToAcknowledge = Target, TimeToResolve = TimeSpan.FromHours(24),
            WarningLeadTimes = "[\"00:10:00\"]", CreatedAt = anchor.AddDays(-30),
        };
        await using (var db = database.Open())
        {
            db.AddRange(brand, channel, policy);
            await db.SaveChangesAsync();
        }

        var random = new Random(4);
        var span = TimeSpan.FromSeconds((double)o.Conversations / o.DuePerSecond);
        var contacts = new List<Contact>();
        for (var done = 0; done < o.Conversations; done += Chunk)
        {
            var conversations = new List<Conversation>(Chunk);
            var messages = new List<Message>(Chunk);
            contacts.Clear();
            for (var i = done; i < Math.Min(o.Conversations, done + Chunk); i++)
            {
                // One customer per ten conversations.
                if (i % 10 == 0) contacts.Add(new Contact { BrandId = brand.Id, DisplayName = $"Customer {i / 10}", CreatedAt = anchor.AddDays(-1) });
                var warningAt = anchor + span * random.NextDouble();
                var at = warningAt - (Target - Lead);
                var conversation = new Conversation { BrandId = brand.Id, ChannelId = channel.Id, ContactId = contacts[^1].Id, CreatedAt = at };
                var message = new Message
                {
                    ConversationId = conversation.Id, ChannelId = channel.Id, Direction = MessageDirection.Inbound, Visibility = MessageVisibility.Public,
                    Text = $"@benchair my bag did not arrive, booking {i:D7}", Author = $"customer{i / 10}", ExternalId = $"bench-{i}", CreatedAt = at,
                };
                conversation.Record(message);
                // What the sweep would have computed: the next threshold is the acknowledge warning.
                conversation.NextClockCheckAt = warningAt;
                conversations.Add(conversation);
                messages.Add(message);
            }
            await using var db = database.Open();
            await BulkWriter.WriteAsync(db, contacts);
            await BulkWriter.WriteAsync(db, conversations);
            await BulkWriter.WriteAsync(db, messages);
            Console.Error.WriteLine($"  seeded {Math.Min(o.Conversations, done + Chunk):N0} of {o.Conversations:N0} ({Stopwatch.GetElapsedTime(started).TotalSeconds:0} s)");
        }
        return new Seeded(brand.Id, channel.Id, Stopwatch.GetElapsedTime(started));
    }
}
