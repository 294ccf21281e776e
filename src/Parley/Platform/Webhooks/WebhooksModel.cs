using Microsoft.EntityFrameworkCore;

namespace Parley.Platform.Webhooks;

public static class WebhooksModel
{
    public static void ConfigureWebhooks(this ModelBuilder b)
    {
        b.Entity<WebhookSubscription>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(2_000);
            e.Property(x => x.EventTypes).HasMaxLength(2_000);
            e.Property(x => x.ProtectedSecret).HasMaxLength(2_000);
            e.Property(x => x.PreviousProtectedSecret).HasMaxLength(2_000);
            e.Property(x => x.PausedReason).HasMaxLength(1_000);
            e.Ignore(x => x.TypeList);
            e.HasIndex(x => x.AppId);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.HasKey(x => x.Seq);
            e.HasIndex(x => x.Id).IsUnique();
            e.Property(x => x.EventType).HasMaxLength(64);
            e.Property(x => x.OrderKey).HasMaxLength(128);
            e.Property(x => x.LastError).HasMaxLength(1_000);
            // The dispatcher's two questions: what is due, and is an earlier one for the same key still waiting.
            e.HasIndex(x => new { x.State, x.NextAttemptAt });
            e.HasIndex(x => new { x.SubscriptionId, x.OrderKey, x.State, x.Seq });
            // The delivery log, newest first.
            e.HasIndex(x => new { x.SubscriptionId, x.Seq });
            // One delivery per event and subscription, even if the fan-out runs an event twice.
            e.HasIndex(x => new { x.SubscriptionId, x.EventId }).IsUnique();
        });
        b.Entity<WebhookCursor>(e =>
        {
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(64);
        });
    }
}
