using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Apps;
using Microsoft.Extensions.Options;
using Parley.Platform.Events;
using Parley.Platform.Keys;

namespace Parley.Platform.Webhooks;

/// <summary>An app's webhook subscriptions and their delivery logs: for admins under <c>/apps/{appId}/webhooks</c>
/// (mapped under the admin policy, admin scope), and for an app's own key under <c>/apps/me/webhooks</c> (events:read).</summary>
public static class WebhookEndpoints
{
    public static void MapWebhookEndpoints(this IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/apps/{appId:guid}/webhooks").WithTags("Webhooks");
        hooks.MapPost("/", (Guid appId, CreateSubscriptionRequest request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) => CreateAsync(appId, request, s, ct))
            .WithSummary("Subscribes an app's endpoint to event types (conversation.* and the like). Answers with the signing secret, shown this once.")
            .WithDescription(UrlRule);
        hooks.MapGet("/", (Guid appId, ParleyDb db, CancellationToken ct) => ListAsync(appId, db, ct)).WithSummary("An app's webhook subscriptions.");
        hooks.MapGet("/{id:guid}", (Guid appId, Guid id, ParleyDb db, CancellationToken ct) => GetAsync(appId, id, db, ct))
            .WithSummary("One subscription, with whether it is paused and why.");
        hooks.MapPatch("/{id:guid}", (Guid appId, Guid id, UpdateSubscriptionRequest request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) => UpdateAsync(appId, id, request, s, ct))
            .WithSummary("Changes the URL or event types, or pauses and resumes the endpoint.").WithDescription(UrlRule);
        hooks.MapDelete("/{id:guid}", (Guid appId, Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct) => DeleteAsync(appId, id, db, clock, ct))
            .WithSummary("Ends a subscription; deliveries still waiting are dropped.");
        hooks.MapPost("/{id:guid}/secret", (Guid appId, Guid id, RotateSecretRequest? request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) => RotateSecretAsync(appId, id, request, s, ct))
            .WithSummary("Rotates the signing secret: answers with a new one, shown this once; deliveries carry signatures with both until the overlap ends.")
            .WithDescription(RotationRule);
        hooks.MapGet("/{id:guid}/deliveries", (Guid appId, Guid id, string? state, Guid? before, int? limit, ParleyDb db, CancellationToken ct) =>
                DeliveriesAsync(appId, id, state, before, limit, db, ct))
            .WithSummary("The subscription's delivery log, newest first; state=pending, delivered or deadLettered narrows it.");
        hooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", (Guid appId, Guid id, Guid deliveryId, ParleyDb db, WebhookSignal signal, TimeProvider clock, CancellationToken ct) =>
                RedeliverAsync(appId, id, deliveryId, db, signal, clock, ct))
            .WithSummary("Sends a dead-lettered (or delivered) delivery again, with the same delivery id, as soon as its conversation's earlier events are through.");
    }

    /// <summary>The same operations for an app's own key, on its own subscriptions only (<c>/apps/me/webhooks</c>): the
    /// app is the key's, so there is no app id to get wrong and another app's subscription is simply not found.</summary>
    public static void MapOwnWebhookEndpoints(this IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/apps/me/webhooks").WithTags("Webhooks");
        hooks.MapPost("/", (HttpContext http, CreateSubscriptionRequest request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) =>
                Own(http, appId => CreateAsync(appId, request, s, ct)))
            .WithSummary("Subscribes the calling app's endpoint to event types. Answers with the signing secret, shown this once.")
            .WithDescription(UrlRule);
        hooks.MapGet("/", (HttpContext http, ParleyDb db, CancellationToken ct) => Own(http, appId => ListAsync(appId, db, ct)))
            .WithSummary("The calling app's webhook subscriptions.");
        hooks.MapGet("/{id:guid}", (HttpContext http, Guid id, ParleyDb db, CancellationToken ct) => Own(http, appId => GetAsync(appId, id, db, ct)))
            .WithSummary("One of the calling app's subscriptions, with whether it is paused and why.");
        hooks.MapPatch("/{id:guid}", (HttpContext http, Guid id, UpdateSubscriptionRequest request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) =>
                Own(http, appId => UpdateAsync(appId, id, request, s, ct)))
            .WithSummary("Changes the URL or event types of one of the calling app's subscriptions, or pauses and resumes it.").WithDescription(UrlRule);
        hooks.MapDelete("/{id:guid}", (HttpContext http, Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct) => Own(http, appId => DeleteAsync(appId, id, db, clock, ct)))
            .WithSummary("Ends one of the calling app's subscriptions; deliveries still waiting are dropped.");
        hooks.MapPost("/{id:guid}/secret", (HttpContext http, Guid id, RotateSecretRequest? request, [AsParameters] WebhookEndpointServices s, CancellationToken ct) =>
                Own(http, appId => RotateSecretAsync(appId, id, request, s, ct)))
            .WithSummary("Rotates the signing secret of one of the calling app's subscriptions (the new one is shown this once).")
            .WithDescription(RotationRule);
        hooks.MapGet("/{id:guid}/deliveries", (HttpContext http, Guid id, string? state, Guid? before, int? limit, ParleyDb db, CancellationToken ct) =>
                Own(http, appId => DeliveriesAsync(appId, id, state, before, limit, db, ct)))
            .WithSummary("The delivery log of one of the calling app's subscriptions, newest first.");
        hooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", (HttpContext http, Guid id, Guid deliveryId, ParleyDb db, WebhookSignal signal, TimeProvider clock, CancellationToken ct) =>
                Own(http, appId => RedeliverAsync(appId, id, deliveryId, db, signal, clock, ct)))
            .WithSummary("Sends one of the calling app's deliveries again, with the same delivery id.");
    }

    private const string UrlRule = "The URL must be https and must not point at a private, loopback, link-local or reserved address " +
        "(checked now and again at every connection) unless Parley:Webhooks:AllowPrivateAddresses is on.";

    private const string RotationRule = "overlapMinutes (default 1440, a day; 0 to 43200) is how long the replaced secret still signs: until then " +
        "Parley-Signature carries two v1 values, the new secret's first. Rotating again during an overlap drops the oldest secret at once.";

    /// <summary>Runs an operation on the calling key's app; a person or an installation key has no app of its own.</summary>
    private static async Task<IResult> Own<T>(HttpContext http, Func<Guid, Task<T>> operation) where T : IResult =>
        Guid.TryParse(http.User.FindFirst(ApiKeyAuthentication.AppClaim)?.Value, out var appId)
            ? await operation(appId)
            : TypedResults.Problem(title: "Only for apps", statusCode: StatusCodes.Status403Forbidden,
                detail: "/api/v1/apps/me is the calling app's own; people and installation keys use /api/v1/apps/{appId}/webhooks.");

    private static async Task<Results<Created<CreatedSubscriptionDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        Guid appId, CreateSubscriptionRequest request, WebhookEndpointServices s, CancellationToken ct)
    {
        var db = s.Db;
        var app = await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Id == appId && a.DeletedAt == null, ct);
        if (app is null) return Problems.NotFound("app", appId);
        var errors = await ValidateAsync(request.Url, request.Events, s, ct);
        if (!app.ScopeList.Any(x => x is ApiScopes.EventsRead or ApiScopes.Admin))
            errors["events"] = ["The app needs the events:read scope to receive events; add it with PATCH /api/v1/apps/{id}."];
        if (request.BrandId is { } brand && !await db.Brands.AnyAsync(b => b.Id == brand, ct))
            errors["brandId"] = [$"No brand has the id {brand}."];
        else if (request.BrandId is { } limited && app.BrandList.Count > 0 && !app.BrandList.Contains(limited))
            errors["brandId"] = ["The app is not allowed that brand."];
        if (request.ChannelId is { } channel && !await db.Channels.AnyAsync(c => c.Id == channel, ct))
            errors["channelId"] = [$"No channel has the id {channel}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var secret = WebhookSignature.NewSecret();
        var now = s.Clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            AppId = appId,
            Url = request.Url!.Trim(),
            EventTypes = string.Join(' ', request.Events!.Distinct()),
            BrandId = request.BrandId,
            ChannelId = request.ChannelId,
            ProtectedSecret = s.Secrets.Protect(secret),
            CreatedAt = now,
        };
        db.WebhookSubscriptions.Add(subscription);
        db.Append("webhook.created", $"apps/{appId}/webhooks/{subscription.Id}", null,
            new WebhookCreatedData(appId, subscription.Id, subscription.Url, subscription.TypeList), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/apps/{appId}/webhooks/{subscription.Id}", new CreatedSubscriptionDto(SubscriptionDto.From(subscription, now), secret));
    }

    private static async Task<Results<Ok<List<SubscriptionDto>>, ProblemHttpResult>> ListAsync(Guid appId, ParleyDb db, CancellationToken ct)
    {
        if (!await db.Apps.AnyAsync(a => a.Id == appId && a.DeletedAt == null, ct)) return Problems.NotFound("app", appId);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.AppId == appId && s.DeletedAt == null)
            .OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(subscriptions.Select(x => SubscriptionDto.From(x, DateTimeOffset.UtcNow)).ToList());
    }

    private static async Task<Results<Ok<SubscriptionDto>, ProblemHttpResult>> GetAsync(Guid appId, Guid id, ParleyDb db, CancellationToken ct) =>
        await FindAsync(db, appId, id, ct) is { } s ? TypedResults.Ok(SubscriptionDto.From(s, DateTimeOffset.UtcNow)) : Problems.NotFound("webhook subscription", id);

    private static async Task<Results<Ok<SubscriptionDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid appId, Guid id, UpdateSubscriptionRequest request, WebhookEndpointServices s, CancellationToken ct)
    {
        var db = s.Db;
        var subscription = await FindAsync(db, appId, id, ct);
        if (subscription is null) return Problems.NotFound("webhook subscription", id);
        // An unchanged URL is not checked again here: the dispatcher checks every connection anyway.
        var errors = request.Url is null || request.Url.Trim() == subscription.Url
            ? Validate(subscription.Url, request.Events ?? subscription.TypeList, s.Options.CurrentValue, s.Environment, urlChecked: true)
            : await ValidateAsync(request.Url, request.Events ?? subscription.TypeList, s, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = s.Clock.GetUtcNow();
        subscription.Url = (request.Url ?? subscription.Url).Trim();
        subscription.EventTypes = string.Join(' ', (request.Events ?? subscription.TypeList).Distinct());
        if (request.Paused == false && subscription.Status == SubscriptionStatus.Paused) subscription.Resume();
        if (request.Paused == true && subscription.Status == SubscriptionStatus.Active) subscription.Pause(now, "Paused on request.");
        db.Append("webhook.updated", $"apps/{appId}/webhooks/{id}", null,
            new WebhookUpdatedData(appId, id, subscription.Url, subscription.TypeList, SubscriptionDto.From(subscription, now).Status), now);
        await db.SaveChangesAsync(ct);
        s.Signal.Pulse();
        return TypedResults.Ok(SubscriptionDto.From(subscription, now));
    }

    private static async Task<Results<Created<RotatedSecretDto>, ProblemHttpResult, ValidationProblem>> RotateSecretAsync(
        Guid appId, Guid id, RotateSecretRequest? request, WebhookEndpointServices s, CancellationToken ct)
    {
        var subscription = await FindAsync(s.Db, appId, id, ct);
        if (subscription is null) return Problems.NotFound("webhook subscription", id);
        var overlap = request?.OverlapMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : WebhookSubscription.SecretOverlap;
        if (overlap < TimeSpan.Zero || overlap > WebhookSubscription.MaxSecretOverlap)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["overlapMinutes"] = [$"The overlap is 0 to {WebhookSubscription.MaxSecretOverlap.TotalMinutes:0} minutes."],
            });
        var now = s.Clock.GetUtcNow();
        var secret = WebhookSignature.NewSecret();
        subscription.RotateSecret(s.Secrets.Protect(secret), now, overlap);
        s.Db.Append("webhook.secret_rotated", $"apps/{appId}/webhooks/{id}", null,
            new WebhookSecretRotatedData(appId, id, subscription.PreviousSecretExpiresAt), now);
        await s.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/apps/{appId}/webhooks/{id}", new RotatedSecretDto(secret, SubscriptionDto.From(subscription, now)));
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

    private static async Task<Dictionary<string, string[]>> ValidateAsync(string? url, IReadOnlyList<string>? events, WebhookEndpointServices s, CancellationToken ct)
    {
        var options = s.Options.CurrentValue;
        var errors = Validate(url, events, options, s.Environment, urlChecked: false);
        if (!errors.ContainsKey("url") && !options.AllowPrivateAddresses
            && await WebhookAddresses.CheckHostAsync(new Uri(url!.Trim()).Host, ct) is { } refused)
            errors["url"] = [$"Refused: {refused}. Webhooks may only reach public addresses (Parley:Webhooks:AllowPrivateAddresses)."];
        return errors;
    }

    private static Dictionary<string, string[]> Validate(string? url, IReadOnlyList<string>? events, WebhookOptions options, IHostEnvironment environment, bool urlChecked)
    {
        var errors = new Dictionary<string, string[]>();
        if (!urlChecked && UrlError(url, options.AllowPrivateAddresses || environment.IsDevelopment()) is { } urlError) errors["url"] = [urlError];
        if (events is null || events.Count == 0)
            errors["events"] = ["Subscribe to at least one event type: an exact type, a family like conversation.*, or *."];
        else if (events.FirstOrDefault(e => !EventTypePatterns.IsValid(e)) is { } bad)
            errors["events"] = [$"'{bad}' is not an event type pattern: use lower-case types like message.received, a family like conversation.*, or *."];
        return errors;
    }

    /// <summary>Plain http would let anyone on the way read the events and replay them: only for local receivers.</summary>
    private static string? UrlError(string? url, bool plainHttpAllowed)
    {
        if (url is null || url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "The endpoint is an absolute https URL of at most 2000 characters.";
        if (uri.Scheme == "http" && !plainHttpAllowed)
            return "The endpoint must use https (plain http is only for local receivers, with Parley:Webhooks:AllowPrivateAddresses).";
        return null;
    }
}

/// <summary>What creating, changing and rotating a subscription need, bound from services ([AsParameters]).</summary>
public sealed record WebhookEndpointServices(ParleyDb Db, IDataProtectionProvider Protection, TimeProvider Clock, WebhookSignal Signal,
    IOptionsMonitor<WebhookOptions> Options, IHostEnvironment Environment)
{
    public IDataProtector Secrets => WebhookSecrets.Protector(Protection);
}
