using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Apps;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>An app's webhook subscriptions and their delivery logs: admins only (mapped under the admin
/// policy, admin scope).</summary>
public static class WebhookEndpoints
{
    public static void MapWebhookEndpoints(this IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/apps/{appId:guid}/webhooks").WithTags("Webhooks");
        hooks.MapPost("/", CreateAsync).WithSummary("Subscribes an app's endpoint to event types (conversation.* and the like). Answers with the signing secret, shown this once.");
        hooks.MapGet("/", ListAsync).WithSummary("An app's webhook subscriptions.");
        hooks.MapGet("/{id:guid}", GetAsync).WithSummary("One subscription, with whether it is paused and why.");
        hooks.MapPatch("/{id:guid}", UpdateAsync).WithSummary("Changes the URL or event types, or pauses and resumes the endpoint.");
        hooks.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Ends a subscription; deliveries still waiting are dropped.");
        hooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync)
            .WithSummary("The subscription's delivery log, newest first; state=pending, delivered or deadLettered narrows it.");
        hooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", RedeliverAsync)
            .WithSummary("Sends a dead-lettered (or delivered) delivery again, with the same delivery id, as soon as its conversation's earlier events are through.");
    }

    private static async Task<Results<Created<CreatedSubscriptionDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        Guid appId, CreateSubscriptionRequest request, ParleyDb db, IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct)
    {
        var app = await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Id == appId && a.DeletedAt == null, ct);
        if (app is null) return Problems.NotFound("app", appId);
        var errors = Validate(request.Url, request.Events);
        if (!app.ScopeList.Any(s => s is ApiScopes.EventsRead or ApiScopes.Admin))
            errors["events"] = ["The app needs the events:read scope to receive events; add it with PATCH /api/v1/apps/{id}."];
        if (request.BrandId is { } brand && !await db.Brands.AnyAsync(b => b.Id == brand, ct))
            errors["brandId"] = [$"No brand has the id {brand}."];
        else if (request.BrandId is { } limited && app.BrandList.Count > 0 && !app.BrandList.Contains(limited))
            errors["brandId"] = ["The app is not allowed that brand."];
        if (request.ChannelId is { } channel && !await db.Channels.AnyAsync(c => c.Id == channel, ct))
            errors["channelId"] = [$"No channel has the id {channel}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var secret = WebhookSignature.NewSecret();
        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            AppId = appId,
            Url = request.Url!.Trim(),
            EventTypes = string.Join(' ', request.Events!.Distinct()),
            BrandId = request.BrandId,
            ChannelId = request.ChannelId,
            ProtectedSecret = WebhookSecrets.Protector(protection).Protect(secret),
            CreatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        db.Append("webhook.created", $"apps/{appId}/webhooks/{subscription.Id}", null,
            new WebhookCreatedData(appId, subscription.Id, subscription.Url, subscription.TypeList), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/apps/{appId}/webhooks/{subscription.Id}", new CreatedSubscriptionDto(SubscriptionDto.From(subscription), secret));
    }

    private static async Task<Results<Ok<List<SubscriptionDto>>, ProblemHttpResult>> ListAsync(Guid appId, ParleyDb db, CancellationToken ct)
    {
        if (!await db.Apps.AnyAsync(a => a.Id == appId && a.DeletedAt == null, ct)) return Problems.NotFound("app", appId);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.AppId == appId && s.DeletedAt == null)
            .OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(subscriptions.Select(SubscriptionDto.From).ToList());
    }

    private static async Task<Results<Ok<SubscriptionDto>, ProblemHttpResult>> GetAsync(Guid appId, Guid id, ParleyDb db, CancellationToken ct) =>
        await FindAsync(db, appId, id, ct) is { } s ? TypedResults.Ok(SubscriptionDto.From(s)) : Problems.NotFound("webhook subscription", id);

    private static async Task<Results<Ok<SubscriptionDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid appId, Guid id, UpdateSubscriptionRequest request, ParleyDb db, WebhookSignal signal, TimeProvider clock, CancellationToken ct)
    {
        var subscription = await FindAsync(db, appId, id, ct);
        if (subscription is null) return Problems.NotFound("webhook subscription", id);
        var errors = Validate(request.Url ?? subscription.Url, request.Events ?? subscription.TypeList);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        subscription.Url = (request.Url ?? subscription.Url).Trim();
        subscription.EventTypes = string.Join(' ', (request.Events ?? subscription.TypeList).Distinct());
        if (request.Paused == false && subscription.Status == SubscriptionStatus.Paused) subscription.Resume();
        if (request.Paused == true && subscription.Status == SubscriptionStatus.Active) subscription.Pause(now, "Paused by an admin.");
        db.Append("webhook.updated", $"apps/{appId}/webhooks/{id}", null,
            new WebhookUpdatedData(appId, id, subscription.Url, subscription.TypeList, SubscriptionDto.From(subscription).Status), now);
        await db.SaveChangesAsync(ct);
        signal.Pulse();
        return TypedResults.Ok(SubscriptionDto.From(subscription));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid appId, Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        var subscription = await FindAsync(db, appId, id, ct);
        if (subscription is null) return Problems.NotFound("webhook subscription", id);
        var now = clock.GetUtcNow();
        subscription.DeletedAt = now;
        db.Append("webhook.deleted", $"apps/{appId}/webhooks/{id}", null, new WebhookDeletedData(appId, id), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DeliveryPage>, ProblemHttpResult, ValidationProblem>> DeliveriesAsync(
        Guid appId, Guid id, string? state, Guid? before, int? limit, ParleyDb db, CancellationToken ct)
    {
        if (await FindAsync(db, appId, id, ct) is null) return Problems.NotFound("webhook subscription", id);
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (state is not null)
        {
            DeliveryState? wanted = state switch { "pending" => DeliveryState.Pending, "delivered" => DeliveryState.Delivered, "deadLettered" => DeliveryState.DeadLettered, _ => null };
            if (wanted is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = ["state is pending, delivered or deadLettered."] });
            query = query.Where(d => d.State == wanted);
        }
        if (before is { } cursor)
        {
            var seq = await db.WebhookDeliveries.Where(d => d.Id == cursor && d.SubscriptionId == id).Select(d => (long?)d.Seq).FirstOrDefaultAsync(ct);
            if (seq is null) return Problems.NotFound("delivery", cursor);
            query = query.Where(d => d.Seq < seq);
        }
        var take = Math.Clamp(limit ?? 50, 1, 500);
        var items = await query.OrderByDescending(d => d.Seq).Take(take + 1).ToListAsync(ct);
        var page = items.Take(take).Select(DeliveryDto.From).ToList();
        return TypedResults.Ok(new DeliveryPage(page, items.Count > take ? page[^1].Id : null));
    }

    private static async Task<Results<Accepted<DeliveryDto>, ProblemHttpResult>> RedeliverAsync(
        Guid appId, Guid id, Guid deliveryId, ParleyDb db, WebhookSignal signal, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, appId, id, ct) is null) return Problems.NotFound("webhook subscription", id);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == id, ct);
        if (delivery is null) return Problems.NotFound("delivery", deliveryId);
        if (delivery.State == DeliveryState.Pending)
            return Problems.Conflict("Already waiting", "The delivery is still being tried; see nextAttemptAt in the delivery log.");
        var now = clock.GetUtcNow();
        delivery.State = DeliveryState.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = now;
        delivery.DeadLetteredAt = null;
        db.Append("webhook.redelivery_requested", $"apps/{appId}/webhooks/{id}", null, new WebhookRedeliveryRequestedData(appId, id, deliveryId, delivery.EventId), now);
        await db.SaveChangesAsync(ct);
        signal.Pulse();
        return TypedResults.Accepted($"/api/v1/apps/{appId}/webhooks/{id}/deliveries", DeliveryDto.From(delivery));
    }

    private static Task<WebhookSubscription?> FindAsync(ParleyDb db, Guid appId, Guid id, CancellationToken ct) =>
        db.WebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id && s.AppId == appId && s.DeletedAt == null, ct);

    private static Dictionary<string, string[]> Validate(string? url, IReadOnlyList<string>? events)
    {
        var errors = new Dictionary<string, string[]>();
        if (url is null || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            errors["url"] = ["The endpoint is an absolute http or https URL of at most 2000 characters."];
        if (events is null || events.Count == 0)
            errors["events"] = ["Subscribe to at least one event type: an exact type, a family like conversation.*, or *."];
        else if (events.FirstOrDefault(e => !EventTypePatterns.IsValid(e)) is { } bad)
            errors["events"] = [$"'{bad}' is not an event type pattern: use lower-case types like message.received, a family like conversation.*, or *."];
        return errors;
    }
}
