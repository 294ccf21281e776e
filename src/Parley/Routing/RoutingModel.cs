using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Platform.People;

namespace Parley.Routing;

/// <summary>Routing's tables and the conversation indexes its queries use, kept beside the code that
/// queries them.</summary>
public static class RoutingModel
{
    public static void ConfigureRouting(this ModelBuilder b)
    {
        b.Entity<QueueSettings>(e =>
        {
            e.HasKey(x => x.TeamId);
            e.HasOne<Team>().WithOne().HasForeignKey<QueueSettings>(x => x.TeamId);
            e.Property(x => x.RequiredSkills).HasMaxLength(2_000);
        });
        b.Entity<QueueResponder>(e =>
        {
            e.HasKey(x => new { x.TeamId, x.UserId });
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId);
        });
        b.Entity<QueueAssignee>(e => e.HasKey(x => new { x.TeamId, x.UserId }));
        b.Entity<AgentProfile>(e =>
        {
            e.HasKey(x => x.UserId);
            e.HasOne<User>().WithOne().HasForeignKey<AgentProfile>(x => x.UserId);
            e.Property(x => x.Skills).HasMaxLength(2_000);
        });
        b.Entity<RoutingRuleRecord>(e =>
        {
            e.ToTable("RoutingRules");
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.ChannelKind).HasMaxLength(16);
            e.Property(x => x.Language).HasMaxLength(16);
            e.Property(x => x.Keywords).HasMaxLength(4_000);
            e.HasIndex(x => new { x.BrandId, x.Order });
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId);
        });
        b.Entity<Conversation>(e =>
        {
            // The router's "not routed yet", oldest first.
            e.HasIndex(x => new { x.RoutedAt, x.CreatedAt });
            // A queue's waiting conversations, oldest first.
            e.HasIndex(x => new { x.TeamId, x.AssigneeId, x.Status, x.CreatedAt });
            // The timer-rule sweep's "due a look".
            e.HasIndex(x => new { x.Status, x.NextTimerCheckAt });
        });
    }
}
