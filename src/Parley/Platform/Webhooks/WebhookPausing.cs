using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Platform.Webhooks;

/// <summary>Telling an app's owner that its endpoint was paused: a notification in the workspace and an event in the log.</summary>
public static class WebhookPausing
{
    public static async Task TellOwnerAsync(ParleyDb db, WebhookSubscription subscription, string reason, DateTimeOffset at, CancellationToken ct)
    {
        var app = await db.Apps.AsNoTracking().Where(a => a.Id == subscription.AppId).Select(a => new { a.Name, a.OwnerId }).FirstAsync(ct);
        var text = $"The webhook of {app.Name} to {subscription.Url} is paused: {reason} Deliveries wait until it is resumed " +
            $"(PATCH /api/v1/apps/{subscription.AppId}/webhooks/{subscription.Id} with paused: false).";
        db.Notifications.Add(new Notification
        {
            UserId = app.OwnerId,
            Kind = "webhook_paused",
            Text = text.Length <= 1000 ? text : text[..997] + "...",
            CreatedAt = at,
        });
        db.Append("webhook.paused", $"apps/{subscription.AppId}/webhooks/{subscription.Id}", null,
            new WebhookPausedData(subscription.AppId, subscription.Id, subscription.Url, reason), at);
        await db.SaveChangesAsync(ct);
    }
}
