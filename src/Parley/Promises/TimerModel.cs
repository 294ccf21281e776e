using Microsoft.EntityFrameworkCore;

namespace Parley.Promises;

public static class TimerModel
{
    public static void ConfigureTimers(this ModelBuilder b)
    {
        b.Entity<TimerRule>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.ChannelKind).HasMaxLength(16);
            e.Property(x => x.Message).HasMaxLength(2_000);
            e.HasIndex(x => x.BrandId);
        });
        b.Entity<FiredTimerRule>(e =>
        {
            e.HasKey(x => new { x.ConversationId, x.RuleId, x.Episode });
            e.Property(x => x.Episode).HasMaxLength(64);
        });
    }
}
