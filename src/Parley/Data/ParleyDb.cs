using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Channels;
using Parley.Conversations;
using Parley.Ingest;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Audit;
using Parley.Platform.Webhooks;
using Parley.Platform.Events;
using Parley.Platform.Keys;
using Parley.Platform.People;
using Parley.Promises;
using Parley.Triage;
using Parley.Routing;
using Parley.Templates;

namespace Parley.Data;

/// <summary>The one database context. Each provider has a subclass only so that it can carry its
/// own migrations (see docs/adr/0003-two-providers-one-model.md).</summary>
public abstract class ParleyDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Brand> Brands => Set<Brand>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<ContactIdentity> ContactIdentities => Set<ContactIdentity>();
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<InboundEvent> InboundEvents => Set<InboundEvent>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<App> Apps => Set<App>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookCursor> WebhookCursors => Set<WebhookCursor>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<Note> Notes => Set<Note>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<ServiceLevelPolicyRecord> ServiceLevelPolicies => Set<ServiceLevelPolicyRecord>();
    public DbSet<FiredClockEvent> FiredClockEvents => Set<FiredClockEvent>();
    public DbSet<TriageSettingsRecord> TriageSettings => Set<TriageSettingsRecord>();
    public DbSet<QueueSettings> QueueSettings => Set<QueueSettings>();
    public DbSet<QueueResponder> QueueResponders => Set<QueueResponder>();
    public DbSet<QueueAssignee> QueueAssignees => Set<QueueAssignee>();
    public DbSet<AgentProfile> AgentProfiles => Set<AgentProfile>();
    public DbSet<RoutingRuleRecord> RoutingRules => Set<RoutingRuleRecord>();
    public DbSet<TimerRule> TimerRules => Set<TimerRule>();
    public DbSet<FiredTimerRule> FiredTimerRules => Set<FiredTimerRule>();
    public DbSet<ReplyTemplate> Templates => Set<ReplyTemplate>();

    public abstract bool IsPostgres { get; }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        b.Entity<Brand>(e => e.Property(x => x.Name).HasMaxLength(200));

        b.Entity<Channel>(e =>
        {
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => x.BrandId);
        });

        b.Entity<Contact>(e =>
        {
            e.Property(x => x.DisplayName).HasMaxLength(200);
            e.Property(x => x.Facts).HasMaxLength(8_000);
            e.Property(x => x.Value).HasPrecision(18, 2);
            e.HasMany(x => x.Identities).WithOne().HasForeignKey(x => x.ContactId);
        });

        b.Entity<ContactIdentity>(e =>
        {
            e.Property(x => x.Network).HasMaxLength(16);
            e.Property(x => x.ExternalId).HasMaxLength(100);
            e.Property(x => x.Handle).HasMaxLength(200);
            e.Property(x => x.DisplayName).HasMaxLength(200);
            e.HasIndex(x => new { x.BrandId, x.Network, x.ExternalId }).IsUnique();
        });

        b.Entity<Conversation>(e =>
        {
            e.Property(x => x.Preview).HasMaxLength(Conversation.PreviewLength);
            e.HasOne(x => x.Contact).WithMany().HasForeignKey(x => x.ContactId);
            e.HasMany(x => x.Messages).WithOne().HasForeignKey(x => x.ConversationId);
            e.HasIndex(x => new { x.LastMessageAt, x.Id });
            e.HasIndex(x => new { x.ContactId, x.ChannelId, x.Status });
            e.HasIndex(x => new { x.AssigneeId, x.Status });
            e.HasIndex(x => new { x.TeamId, x.Status });
            e.HasIndex(x => new { x.Status, x.NextClockCheckAt });
            e.HasIndex(x => x.AwaitingReplySince);
            // Triage (docs/adr/0010): the inbox ranks open conversations by priority, the patience sweep
            // finds bursts whose window has passed, the recompute finds conversations triaged with old rules.
            e.Property(x => x.PriorityReasons).HasMaxLength(2_000);
            // The inbox's order exactly (priority high to low, then oldest waiting, then id), so its first page is
            // read in order and stops after 51 rows instead of sorting every open conversation (docs/adr/0020).
            e.HasIndex(x => new { x.Status, x.RankedPriority, x.LastMessageAt, x.Id }).IsDescending(false, true, false, false);
            // Everything the inbox's count filters on, so counting reads this index and never the rows.
            e.HasIndex(x => new { x.Status, x.Removed, x.TeamId, x.BrandId, x.AssigneeId });
            e.HasIndex(x => new { x.ReadyAnnounced, x.ReadyAt });
            e.HasIndex(x => new { x.BrandId, x.Status, x.TriageVersion });
        });

        b.Entity<Message>(e =>
        {
            e.Property(x => x.ExternalId).HasMaxLength(100);
            e.Property(x => x.InReplyToExternalId).HasMaxLength(100);
            e.Property(x => x.Author).HasMaxLength(200);
            e.Property(x => x.DeliveryError).HasMaxLength(1000);
            // Each network id is stored once per channel: the dedupe guarantee lives in the schema.
            e.HasIndex(x => new { x.ChannelId, x.ExternalId }).IsUnique();
            e.HasIndex(x => new { x.ChannelId, x.InReplyToExternalId });
            e.HasIndex(x => new { x.DeliveryStatus, x.NextAttemptAt });
            // A conversation's messages in order: the thread, and the inbox's "who wrote last" per row.
            e.HasIndex(x => new { x.ConversationId, x.CreatedAt });
            e.OwnsMany(x => x.Media, m => m.ToJson());
        });

        b.Entity<InboundEvent>(e =>
        {
            e.Property(x => x.Source).HasMaxLength(32);
            e.Property(x => x.Error).HasMaxLength(1000);
            e.HasIndex(x => new { x.Status, x.Id });
            // Not in the model: the partial index "IX_InboundEvents_Pending" on "Id" of pending rows alone (migration
            // PendingDeliveriesIndex, written by hand: the model would put an index on the id on the bodies' table too),
            // so the processor's queue read stays cheap when PostgreSQL's statistics lag (docs/adr/0041).
            // The body (kilobytes) lives in a table of its own, written once: processing updates each delivery's
            // status, and an update rewrites the whole row (docs/adr/0036).
            e.SplitToTable("InboundBodies", t => t.Property(x => x.Body));
            // Splitting the table turns SQLite's AUTOINCREMENT convention off for the key: the events keep it (an id
            // is never reused). The migration leaves it off the bodies, whose ids are always their event's.
            if (!IsPostgres) e.Property(x => x.Id).UseAutoincrement();
        });

        b.Entity<Event>(e =>
        {
            e.HasKey(x => x.Seq);
            e.Property(x => x.Type).HasMaxLength(64);
            e.Property(x => x.Subject).HasMaxLength(128);
            e.HasIndex(x => x.Id).IsUnique();
            e.HasIndex(x => new { x.Tx, x.Seq });
        });

        b.Entity<User>(e =>
        {
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.NormalizedEmail).HasMaxLength(320);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.PasswordHash).HasMaxLength(200);
            e.HasIndex(x => x.NormalizedEmail).IsUnique();
            e.HasMany(x => x.Teams).WithOne().HasForeignKey(x => x.UserId);
        });

        b.Entity<Team>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => new { x.BrandId, x.Name }).IsUnique();
        });

        b.Entity<TeamMember>(e =>
        {
            e.HasKey(x => new { x.TeamId, x.UserId });
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
        });

        b.Entity<Note>(e =>
        {
            e.Property(x => x.Author).HasMaxLength(200);
            e.Property(x => x.Text).HasMaxLength(10_000);
            e.Property(x => x.Mentions).HasMaxLength(2_000);
            e.HasIndex(x => new { x.ConversationId, x.CreatedAt });
        });

        b.Entity<Notification>(e =>
        {
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.Text).HasMaxLength(1_000);
            e.HasIndex(x => new { x.UserId, x.ReadAt });
        });

        b.Entity<SavedView>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Query).HasMaxLength(2_000);
            e.HasIndex(x => x.UserId);
        });

        b.Entity<ServiceLevelPolicyRecord>(e =>
        {
            e.ToTable("ServiceLevelPolicies");
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.ChannelKind).HasMaxLength(16);
            e.Property(x => x.Visibility).HasMaxLength(16);
            e.Property(x => x.TimeZoneId).HasMaxLength(64);
            e.Property(x => x.Week).HasMaxLength(4_000);
            e.Property(x => x.Holidays).HasMaxLength(8_000);
            e.Property(x => x.WarningLeadTimes).HasMaxLength(1_000);
            e.HasIndex(x => new { x.BrandId, x.Order });
        });

        b.Entity<TriageSettingsRecord>(e =>
        {
            e.HasKey(x => x.BrandId);
            e.HasOne<Brand>().WithOne().HasForeignKey<TriageSettingsRecord>(x => x.BrandId);
            e.Property(x => x.UpdatedBy).HasMaxLength(200);
        });

        b.Entity<FiredClockEvent>(e =>
        {
            e.HasKey(x => new { x.ConversationId, x.Key });
            e.Property(x => x.Key).HasMaxLength(100);
        });

        b.Entity<ApiKey>(e =>
        {
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.Property(x => x.Scopes).HasMaxLength(500);
            e.HasIndex(x => x.Hash).IsUnique();
        });

        b.ConfigureRouting();
        b.ConfigureTimers();
        b.ConfigureTemplates();
        b.ConfigurePromises();
        b.ConfigureApps();
        b.ConfigureWebhooks();
        b.ConfigureActing();
        b.ConfigureAudit();
    }
}

public sealed class SqliteParleyDb(DbContextOptions<SqliteParleyDb> options) : ParleyDb(options)
{
    public override bool IsPostgres => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no date type; stored as a sortable integer so ORDER BY and range filters run in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresParleyDb(DbContextOptions<PostgresParleyDb> options) : ParleyDb(options)
{
    public override bool IsPostgres => true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        base.OnModelCreating(modelBuilder);
        // The writer's transaction id, so that readers can stay behind transactions still in flight.
        b.Entity<Event>().Property(x => x.Tx)
            .HasDefaultValueSql("(pg_current_xact_id()::text)::bigint")
            .ValueGeneratedOnAdd();
    }
}
