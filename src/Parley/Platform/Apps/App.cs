namespace Parley.Platform.Apps;

/// <summary>A department's software (billing, logistics, a CRM) that uses Parley through the API. It
/// holds the scopes and brands; its keys only prove that a request comes from it, so changing an app's
/// scopes changes what every one of its keys may do at once.</summary>
public sealed class App
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    /// <summary>The person answerable for it; told when its webhooks keep failing.</summary>
    public Guid OwnerId { get; set; }
    /// <summary>Granted scopes, space separated (OAuth style).</summary>
    public string Scopes { get; set; } = "";
    /// <summary>Brands it may see, space separated; empty means every brand.</summary>
    public string BrandIds { get; set; } = "";
    /// <summary>Requests a minute for each of its keys.</summary>
    public int RateLimitPerMinute { get; set; } = AppDefaults.RateLimitPerMinute;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<Guid> BrandList => BrandIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
}

public static class AppDefaults
{
    public const int RateLimitPerMinute = 600;
    public const int MaxRateLimitPerMinute = 60_000;
    /// <summary>How long the keys a rotation replaces keep working, unless the request says otherwise.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxRotationOverlap = TimeSpan.FromDays(30);
}
