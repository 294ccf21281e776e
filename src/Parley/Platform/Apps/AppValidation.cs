using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Apps;

public static class AppValidation
{
    /// <summary>Every problem with an app's settings at once, keyed by field.</summary>
    public static async Task<Dictionary<string, string[]>> ValidateAsync(ParleyDb db, string? name, Guid? ownerId,
        IReadOnlyList<string>? scopes, IReadOnlyList<Guid>? brandIds, int? ratePerMinute, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200)
            errors["name"] = ["An app needs a name of 1 to 200 characters."];
        if (ownerId is not { } owner)
            errors["ownerId"] = ["An app needs an owner: the id of the person answerable for it."];
        else if (!await db.Users.AnyAsync(u => u.Id == owner && u.DisabledAt == null, ct))
            errors["ownerId"] = [$"No active person has the id {owner}."];
        if (scopes is null || scopes.Count == 0)
            errors["scopes"] = ["Give the app at least one scope: " + string.Join(", ", ApiScopes.All) + "."];
        else if (scopes.FirstOrDefault(s => !ApiScopes.IsKnown(s)) is { } unknown)
            errors["scopes"] = [$"'{unknown}' is not a scope. Scopes are " + string.Join(", ", ApiScopes.All) + "."];
        var brands = brandIds ?? [];
        if (brands.Count > 0)
        {
            var known = await db.Brands.Where(b => brands.Contains(b.Id)).Select(b => b.Id).ToListAsync(ct);
            if (brands.FirstOrDefault(b => !known.Contains(b)) is var missing && missing != Guid.Empty)
                errors["brandIds"] = [$"No brand has the id {missing}."];
            else if (scopes?.Contains(ApiScopes.Admin) == true)
                errors["brandIds"] = ["The admin scope covers the whole installation; an app limited to brands cannot have it."];
        }
        if (ratePerMinute is { } rate && (rate < 1 || rate > AppDefaults.MaxRateLimitPerMinute))
            errors["rateLimitPerMinute"] = [$"The rate limit is 1 to {AppDefaults.MaxRateLimitPerMinute} requests a minute."];
        return errors;
    }
}
