using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Knowledge;

namespace Parley.Platform.Apps;

/// <summary>Tables for apps acting in conversations (docs/adr/0017): tags, proposed replies and the brands'
/// approval rules, hashtag commands and their invocations, the knowledge base.</summary>
public static class ActingModel
{
    public static void ConfigureActing(this ModelBuilder b)
    {
        b.Entity<Contact>(e => e.Property(x => x.FactsUpdatedBy).HasMaxLength(200));
        b.Entity<ConversationTag>(e =>
        {
            e.HasKey(x => new { x.ConversationId, x.Tag });
            e.Property(x => x.Tag).HasMaxLength(50);
            e.Property(x => x.AddedBy).HasMaxLength(200);
            // The inbox filter: conversations with a tag.
            e.HasIndex(x => new { x.Tag, x.ConversationId });
        });
        b.Entity<ReplyProposal>(e =>
        {
            e.Property(x => x.AppName).HasMaxLength(200);
            e.Property(x => x.Text).HasMaxLength(10_000);
            e.Property(x => x.DecidedBy).HasMaxLength(200);
            e.Property(x => x.RejectionReason).HasMaxLength(1_000);
            e.HasIndex(x => new { x.ConversationId, x.CreatedAt });
        });
        b.Entity<AppReplyRule>(e => e.HasKey(x => new { x.BrandId, x.AppId }));
        b.Entity<AppCommand>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(32);
            e.Property(x => x.Description).HasMaxLength(500);
            e.HasIndex(x => new { x.AppId, x.Name }).IsUnique();
            e.HasIndex(x => x.Name);
        });
        b.Entity<CommandInvocation>(e =>
        {
            e.Property(x => x.Command).HasMaxLength(32);
            e.Property(x => x.Arguments).HasMaxLength(500);
            e.Property(x => x.InvokedBy).HasMaxLength(200);
            e.HasIndex(x => x.ConversationId);
        });
        b.Entity<KnowledgeArticle>(e =>
        {
            e.Property(x => x.Title).HasMaxLength(200);
            e.Property(x => x.Body).HasMaxLength(20_000);
            e.Property(x => x.Tags).HasMaxLength(500);
            e.Property(x => x.SearchText).HasMaxLength(21_000);
            e.Property(x => x.UpdatedBy).HasMaxLength(200);
            e.HasIndex(x => new { x.BrandId, x.UpdatedAt });
        });
    }
}

/// <summary>The new tables as sets, without adding to ParleyDb (where every branch adds its own).</summary>
public static class ActingSets
{
    extension(ParleyDb db)
    {
        public DbSet<ConversationTag> ConversationTags => db.Set<ConversationTag>();
        public DbSet<ReplyProposal> ReplyProposals => db.Set<ReplyProposal>();
        public DbSet<AppReplyRule> AppReplyRules => db.Set<AppReplyRule>();
        public DbSet<AppCommand> AppCommands => db.Set<AppCommand>();
        public DbSet<CommandInvocation> CommandInvocations => db.Set<CommandInvocation>();
        public DbSet<KnowledgeArticle> KnowledgeArticles => db.Set<KnowledgeArticle>();
    }
}
