using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;

namespace Parley.Web;

public sealed record NotificationDto(Guid Id, string Kind, Guid? ConversationId, string Text, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record NotificationList(IReadOnlyList<NotificationDto> Items, int Unread);

/// <summary>What the signed-in person should see: mentions in notes, conversations assigned to them.</summary>
public static class NotificationEndpoints
{
    public static void MapNotificationEndpoints(this IEndpointRouteBuilder api)
    {
        var notifications = api.MapGroup("/notifications").WithTags("Workspace");
        notifications.MapGet("/", ListAsync).WithSummary("The signed-in person's latest notifications and how many are unread.");
        notifications.MapPost("/{id:guid}/read", ReadAsync).WithSummary("Marks one notification read.");
        notifications.MapPost("/read", ReadAllAsync).WithSummary("Marks every notification read.");
    }

    private static async Task<Results<Ok<NotificationList>, ProblemHttpResult>> ListAsync(ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return SavedViews.PeopleOnly();
        var items = await db.Notifications.AsNoTracking().Where(n => n.UserId == me).OrderByDescending(n => n.CreatedAt).Take(50)
            .Select(n => new NotificationDto(n.Id, n.Kind, n.ConversationId, n.Text, n.CreatedAt, n.ReadAt)).ToListAsync(ct);
        var unread = await db.Notifications.CountAsync(n => n.UserId == me && n.ReadAt == null, ct);
        return TypedResults.Ok(new NotificationList(items, unread));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReadAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return SavedViews.PeopleOnly();
        var now = clock.GetUtcNow();
        var found = await db.Notifications.Where(n => n.Id == id && n.UserId == me).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, n => n.ReadAt ?? now), ct);
        return found == 0 ? Problems.NotFound("notification", id) : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReadAllAsync(ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return SavedViews.PeopleOnly();
        var now = clock.GetUtcNow();
        await db.Notifications.Where(n => n.UserId == me && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.NoContent();
    }
}
