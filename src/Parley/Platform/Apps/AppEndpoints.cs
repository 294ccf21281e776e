using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.Keys;

namespace Parley.Platform.Apps;

/// <summary>Registering apps and managing their keys: admins only (the group is mapped under the admin
/// policy and needs the admin scope).</summary>
public static class AppEndpoints
{
    public static void MapAppEndpoints(this IEndpointRouteBuilder api)
    {
        var apps = api.MapGroup("/apps").WithTags("Apps");
        apps.MapPost("/", CreateAsync).WithSummary("Registers an app with its scopes and brands. Answers with its first key, shown this once.");
        apps.MapGet("/", ListAsync).WithSummary("The registered apps with their keys (prefixes only).");
        apps.MapGet("/{id:guid}", GetAsync).WithSummary("One app with its keys (prefixes only).");
        apps.MapPatch("/{id:guid}", UpdateAsync).WithSummary("Changes an app's name, owner, scopes, brands or rate limit; every key follows at once.");
        apps.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Removes an app: its keys stop working and its webhooks stop.");
        apps.MapPost("/{id:guid}/keys", RotateAsync)
            .WithSummary("Rotates: issues a new key (shown this once); the app's current keys keep working for the overlap, then expire.");
        apps.MapDelete("/{id:guid}/keys/{keyId:guid}", RevokeAsync).WithSummary("Revokes one key at once.");
    }

    private static async Task<Results<Created<CreatedAppDto>, ValidationProblem>> CreateAsync(
        CreateAppRequest request, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        var errors = await AppValidation.ValidateAsync(db, request.Name, request.OwnerId, request.Scopes, request.BrandIds, request.RateLimitPerMinute, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        var app = new App
        {
            Name = request.Name!.Trim(),
            OwnerId = request.OwnerId!.Value,
            Scopes = string.Join(' ', request.Scopes!.Distinct()),
            BrandIds = string.Join(' ', (request.BrandIds ?? []).Distinct()),
            RateLimitPerMinute = request.RateLimitPerMinute ?? AppDefaults.RateLimitPerMinute,
            CreatedAt = now,
        };
        var (key, secret) = ApiKey.Create(app.Name, "", now, appId: app.Id);
        db.Apps.Add(app);
        db.ApiKeys.Add(key);
        db.Append("app.created", $"apps/{app.Id}", null, new AppCreatedData(app.Id, app.Name, app.ScopeList, app.BrandList, key.Id), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/apps/{app.Id}", new CreatedAppDto(ToDto(app, [key]), New(key, secret)));
    }

    private static async Task<Ok<List<AppDto>>> ListAsync(ParleyDb db, CancellationToken ct)
    {
        var apps = await db.Apps.AsNoTracking().Where(a => a.DeletedAt == null).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        var ids = apps.Select(a => a.Id).ToList();
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => k.AppId != null && ids.Contains(k.AppId.Value)).ToListAsync(ct))
            .ToLookup(k => k.AppId!.Value);
        return TypedResults.Ok(apps.Select(a => ToDto(a, keys[a.Id])).ToList());
    }

    private static async Task<Results<Ok<AppDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, CancellationToken ct)
    {
        var app = await FindAsync(db, id, ct);
        if (app is null) return Problems.NotFound("app", id);
        return TypedResults.Ok(ToDto(app, await KeysOf(db, id, ct)));
    }

    private static async Task<Results<Ok<AppDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, UpdateAppRequest request, ParleyDb db, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        var app = await FindAsync(db, id, ct);
        if (app is null) return Problems.NotFound("app", id);
        var scopes = request.Scopes ?? app.ScopeList;
        var brands = request.BrandIds ?? app.BrandList;
        var errors = await AppValidation.ValidateAsync(db, request.Name ?? app.Name, request.OwnerId ?? app.OwnerId, scopes, brands,
            request.RateLimitPerMinute ?? app.RateLimitPerMinute, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        app.Name = (request.Name ?? app.Name).Trim();
        app.OwnerId = request.OwnerId ?? app.OwnerId;
        app.Scopes = string.Join(' ', scopes.Distinct());
        app.BrandIds = string.Join(' ', brands.Distinct());
        app.RateLimitPerMinute = request.RateLimitPerMinute ?? app.RateLimitPerMinute;
        var now = clock.GetUtcNow();
        db.Append("app.updated", $"apps/{app.Id}", null, new AppUpdatedData(app.Id, app.Name, app.ScopeList, app.BrandList), now);
        await db.SaveChangesAsync(ct);
        var keys = await KeysOf(db, id, ct);
        Forget(cache, keys);
        return TypedResults.Ok(ToDto(app, keys));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ParleyDb db, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        var app = await FindAsync(db, id, ct);
        if (app is null) return Problems.NotFound("app", id);
        var now = clock.GetUtcNow();
        app.DeletedAt = now;
        var keys = await db.ApiKeys.Where(k => k.AppId == id).ToListAsync(ct);
        foreach (var key in keys) key.RevokedAt ??= now;
        db.Append("app.deleted", $"apps/{app.Id}", null, new AppDeletedData(app.Id, app.Name), now);
        await db.SaveChangesAsync(ct);
        Forget(cache, keys);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<RotatedKeyDto>, ProblemHttpResult, ValidationProblem>> RotateAsync(
        Guid id, RotateKeyRequest? request, ParleyDb db, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        var app = await FindAsync(db, id, ct);
        if (app is null) return Problems.NotFound("app", id);
        var overlap = request?.OverlapMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : AppDefaults.RotationOverlap;
        if (overlap < TimeSpan.Zero || overlap > AppDefaults.MaxRotationOverlap)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["overlapMinutes"] = [$"The overlap is 0 to {AppDefaults.MaxRotationOverlap.TotalMinutes:0} minutes."],
            });
        var now = clock.GetUtcNow();
        var until = now + overlap;
        // A key already due to expire sooner keeps its earlier end: rotating twice never extends an old key.
        var current = await db.ApiKeys.Where(k => k.AppId == id && k.RevokedAt == null).ToListAsync(ct);
        var replaced = current.Where(k => k.ExpiresAt is null || k.ExpiresAt > now).ToList();
        foreach (var key in replaced) key.ExpiresAt = key.ExpiresAt is { } end && end < until ? end : until;
        var (fresh, secret) = ApiKey.Create(app.Name, "", now, appId: app.Id);
        db.ApiKeys.Add(fresh);
        db.Append("app.key.created", $"apps/{app.Id}", null, new AppKeyCreatedData(app.Id, fresh.Id, fresh.Prefix, until), now);
        await db.SaveChangesAsync(ct);
        Forget(cache, replaced);
        return TypedResults.Created($"/api/v1/apps/{app.Id}", new RotatedKeyDto(New(fresh, secret), replaced.Select(ToDto).ToList()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, Guid keyId, ParleyDb db, IMemoryCache cache, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is null) return Problems.NotFound("app", id);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.AppId == id, ct);
        if (key is null) return Problems.NotFound("key", keyId);
        if (key.RevokedAt is null)
        {
            var now = clock.GetUtcNow();
            key.RevokedAt = now;
            db.Append("app.key.revoked", $"apps/{id}", null, new AppKeyRevokedData(id, keyId, key.Prefix), now);
            await db.SaveChangesAsync(ct);
        }
        Forget(cache, [key]);
        return TypedResults.NoContent();
    }

    private static Task<App?> FindAsync(ParleyDb db, Guid id, CancellationToken ct) =>
        db.Apps.FirstOrDefaultAsync(a => a.Id == id && a.DeletedAt == null, ct);

    private static Task<List<ApiKey>> KeysOf(ParleyDb db, Guid appId, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().Where(k => k.AppId == appId).ToListAsync(ct);

    /// <summary>Drops cached lookups so a revoked key, or an app's new scopes, count from the next request on this node.</summary>
    private static void Forget(IMemoryCache cache, IEnumerable<ApiKey> keys)
    {
        foreach (var key in keys) cache.Remove(ApiKeyAuthentication.CacheKey(key.Hash));
    }

    private static NewKeyDto New(ApiKey key, string secret) => new(key.Id, secret, key.Prefix, key.CreatedAt);

    private static AppKeyDto ToDto(ApiKey k) => new(k.Id, k.Prefix, k.CreatedAt, k.ExpiresAt, k.RevokedAt);

    private static AppDto ToDto(App a, IEnumerable<ApiKey> keys) => new(a.Id, a.Name, a.OwnerId, a.ScopeList, a.BrandList,
        a.RateLimitPerMinute, a.CreatedAt, keys.OrderBy(k => k.CreatedAt).Select(ToDto).ToList());
}
