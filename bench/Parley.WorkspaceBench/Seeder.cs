using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Simulator;
using Parley.Triage;

namespace Parley.WorkspaceBench;

/// <summary>Fills Parley's database with conversations through Parley's own model (so the rows are
/// what ingest would have written): each a customer with an X identity, the customer's tweet and,
/// for most, the brand's answer, with the texts of real customer-support tweets (TWCS). About a
/// third stay open, spread over the last two days; the rest were resolved over the last ninety.
/// Each is triaged as ingest would have triaged it (signals, priority, the current settings version), so the
/// server does not start re-triaging tens of thousands of rows while the pages are measured.</summary>
public static class Seeder
{
    public const int Batch = 2_000;

    public sealed record Seeded(IReadOnlyList<Guid> OpenConversations, TimeSpan Took);

    public static async Task<Seeded> SeedAsync(string database, Guid brandId, Guid channelId, int count)
    {
        var (customerTexts, brandTexts) = Texts();
        var random = new Random(42);
        var now = DateTimeOffset.UtcNow;
        var open = new List<Guid>();
        var started = Stopwatch.GetTimestamp();
        for (var done = 0; done < count; done += Batch)
        {
            await using var db = Open(database);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = done; i < Math.Min(count, done + Batch); i++)
            {
                var isOpen = i % 3 == 0;
                var at = isOpen ? now.AddMinutes(-random.Next(1, 2 * 24 * 60)) : now.AddMinutes(-random.Next(2 * 24 * 60, 90 * 24 * 60));
                var contact = new Contact { BrandId = brandId, DisplayName = $"Customer {i}", CreatedAt = at };
                var identity = new ContactIdentity
                {
                    ContactId = contact.Id, BrandId = brandId, Network = "x", ExternalId = (7_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Handle = $"customer{i}", DisplayName = $"Customer {i}", Followers = random.Next(0, 5_000),
                };
                var conversation = new Conversation { BrandId = brandId, ChannelId = channelId, ContactId = contact.Id, CreatedAt = at };
                var question = new Message
                {
                    ConversationId = conversation.Id, ChannelId = channelId, Direction = MessageDirection.Inbound, Visibility = MessageVisibility.Public,
                    Text = customerTexts[i % customerTexts.Count], Author = identity.Handle, ExternalId = $"seed-{i}-q", CreatedAt = at,
                };
                conversation.Record(question);
                db.AddRange(contact, identity, conversation, question);
                // Open ones: half answered once (acknowledged), half still new. Resolved ones were answered.
                if (!isOpen || i % 2 == 0)
                {
                    var answeredAt = at.AddMinutes(random.Next(2, 90));
                    var answer = new Message
                    {
                        ConversationId = conversation.Id, ChannelId = channelId, Direction = MessageDirection.Outbound, Visibility = MessageVisibility.Public,
                        Text = brandTexts[i % brandTexts.Count], Author = "ParleyAir", ExternalId = $"seed-{i}-a", InReplyToExternalId = question.ExternalId,
                        CreatedAt = answeredAt,
                    };
                    conversation.Record(answer);
                    conversation.BrandReplied(answeredAt);
                    db.Add(answer);
                    if (!isOpen) conversation.Resolve(answeredAt.AddMinutes(random.Next(1, 600)));
                }
                Triage(conversation, question, channelId, isOpen ? now : conversation.ResolvedAt!.Value);
                if (isOpen) open.Add(conversation.Id);
            }
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync();
            if ((done / Batch) % 10 == 9) Console.Error.WriteLine($"    seeded {done + Batch:N0} of {count:N0} conversations");
        }
        return new Seeded(open, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Triage of the one customer message, with no earlier contacts (each seeded customer writes once), the
    /// way the inbound processor stores it: the message's signals, the conversation's priority and its version.</summary>
    private static void Triage(Conversation conversation, Message question, Guid channelId, DateTimeOffset now)
    {
        var settings = BrandTriageSettings.Default;
        var post = new CustomerPost(question.Id, conversation.Id, question.Text, question.CreatedAt, PostVisibility.Public);
        var replies = conversation.LastBrandReplyAt is { } replied ? new[] { replied } : [];
        var history = new ConversationHistory(conversation.Id, "x", [post], replies, conversation.ResolvedAt, CustomerProfile.Unknown);
        var signals = MessageSignals.From(ConversationTriage.AnalyzeMessage(post, history, settings));
        question.Signals = StoredSignals.Write(signals);
        conversation.Triaged(ConversationTriage.Assess(history, settings, new Dictionary<Guid, MessageSignals> { [question.Id] = signals }),
            TriageSettingsRecord.DefaultVersion, now);
    }

    private static ParleyDb Open(string database) => DatabaseSetup.IsPostgres(database)
        ? new PostgresParleyDb(new DbContextOptionsBuilder<PostgresParleyDb>().UseNpgsql(database).Options)
        : new SqliteParleyDb(new DbContextOptionsBuilder<SqliteParleyDb>().UseSqlite(DatabaseSetup.SqliteConnectionString(database)).Options);

    /// <summary>Customers' and brands' tweets from the TWCS sample in datasets/twcs (see its PROVENANCE).</summary>
    public static (List<string> Customers, List<string> Brands) Texts()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) dir = dir.Parent;
        var csv = Path.Combine(dir?.FullName ?? ".", "datasets", "twcs", "twcs_first5000_rows_normalized.csv");
        var rows = TwcsReplayer.Load(csv, int.MaxValue).SelectMany(t => t.Tweets).ToList();
        return (rows.Where(r => r.Inbound).Select(r => r.Text).ToList(), rows.Where(r => r.ByBrand).Select(r => r.Text).ToList());
    }
}
