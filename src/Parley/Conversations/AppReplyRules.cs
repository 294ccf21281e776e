using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

public sealed record AppReplyOverride(Guid AppId, bool RequireApproval);

/// <param name="RequireApproval">The brand's default for app replies: true, a person approves each one.</param>
/// <param name="Apps">Apps that differ from the default.</param>
public sealed record AppReplySettings(bool RequireApproval, IReadOnlyList<AppReplyOverride> Apps);

/// <summary>The brand's rule for replies its apps write: sent directly or approved by a person first. A brand setting
/// (not a field on the app) because it is the brand's voice: one app may serve several brands that trust it differently,
/// and an app's owner must not be the one deciding that its replies need no review (docs/adr/0017).</summary>
public static class AppReplyRules
{
    public static void MapAppReplyRules(this IEndpointRouteBuilder admin)
    {
        var brands = admin.MapGroup("/brands").WithTags("Brands");
        brands.MapGet("/{id:guid}/app-replies", GetAsync)
            .WithSummary("Whether the brand's apps' replies are sent directly or wait for a person's approval (the default, and per app).");
        brands.MapPut("/{id:guid}/app-replies", PutAsync)
            .WithSummary("Replaces the brand's rule for app replies: requireApproval by default, and apps that differ.");
    }

    private static async Task<Results<Ok<AppReplySettings>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, CancellationToken ct)
    {
        if (!await db.Brands.AnyAsync(b => b.Id == id, ct)) return Problems.NotFound("brand", id);
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }

    private static async Task<AppReplySettings> ReadAsync(ParleyDb db, Guid brandId, CancellationToken ct)
    {
        var rules = await db.AppReplyRules.AsNoTracking().Where(r => r.BrandId == brandId).ToListAsync(ct);
        var fallback = rules.FirstOrDefault(r => r.AppId == AppReplyRule.BrandDefault)?.RequireApproval ?? true;
        return new AppReplySettings(fallback, rules.Where(r => r.AppId != AppReplyRule.BrandDefault).OrderBy(r => r.AppId)
            .Select(r => new AppReplyOverride(r.AppId, r.RequireApproval)).ToList());
    }

    private static async Task<Results<Ok<AppReplySettings>, ProblemHttpResult, ValidationProblem>> PutAsync(
        Guid id, AppReplySettings request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.Brands.AnyAsync(b => b.Id == id, ct)) return Problems.NotFound("brand", id);
        var overrides = request.Apps ?? [];
        var errors = new Dictionary<string, string[]>();
        if (overrides.Count > 500) errors["apps"] = ["At most 500 apps."];
        if (overrides.Select(a => a.AppId).Distinct().Count() != overrides.Count) errors["apps"] = ["Each app appears once."];
        var ids = overrides.Select(a => a.AppId).ToArray();
        var known = await db.Apps.AsNoTracking().Where(a => ids.Contains(a.Id) && a.DeletedAt == null).Select(a => a.Id).ToListAsync(ct);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0) errors["apps"] = [$"No app has the id {string.Join(", ", unknown)}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var by = Credit.Of(viewer).Name;
        db.AppReplyRules.Add(new AppReplyRule { BrandId = id, AppId = AppReplyRule.BrandDefault, RequireApproval = request.RequireApproval, UpdatedAt = now, UpdatedBy = by });
        foreach (var o in overrides)
            db.AppReplyRules.Add(new AppReplyRule { BrandId = id, AppId = o.AppId, RequireApproval = o.RequireApproval, UpdatedAt = now, UpdatedBy = by });
        db.Append("brand.app_replies_changed", $"brands/{id}", id, new BrandAppRepliesChangedData(id, request.RequireApproval, overrides, by), now);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Delete and insert commit together, so a reply in between never sees the brand without its rule.
            await db.AppReplyRules.Where(r => r.BrandId == id).ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return TypedResults.Ok(await ReadAsync(db, id, ct));
    }
}
