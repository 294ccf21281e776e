namespace Parley.Platform.Apps;

/// <param name="Name">What people call it: "Billing", "Logistics".</param>
/// <param name="OwnerId">The person answerable for it (a user id); told when its webhooks keep failing.</param>
/// <param name="Scopes">What it may do: conversations:read, conversations:write, messages:send, contacts:read,
/// contacts:write, events:read, knowledge:write, admin.</param>
/// <param name="BrandIds">The brands it may see and change; empty or absent means every brand (required for admin).</param>
/// <param name="RateLimitPerMinute">Requests a minute for each of its keys (default 600).</param>
public sealed record CreateAppRequest(string? Name, Guid? OwnerId, IReadOnlyList<string>? Scopes, IReadOnlyList<Guid>? BrandIds, int? RateLimitPerMinute);

/// <summary>Absent fields stay as they are; <c>brandIds: []</c> lifts the brand limit.</summary>
public sealed record UpdateAppRequest(string? Name, Guid? OwnerId, IReadOnlyList<string>? Scopes, IReadOnlyList<Guid>? BrandIds, int? RateLimitPerMinute);

/// <param name="OverlapMinutes">How long the app's current keys keep working (default 1440, a day; 0 ends them now; at most 43200).</param>
public sealed record RotateKeyRequest(int? OverlapMinutes);

public sealed record AppKeyDto(Guid Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

public sealed record AppDto(Guid Id, string Name, Guid OwnerId, IReadOnlyList<string> Scopes, IReadOnlyList<Guid> BrandIds,
    int RateLimitPerMinute, DateTimeOffset CreatedAt, IReadOnlyList<AppKeyDto> Keys);

/// <summary>A key, the only time it is shown: Parley keeps only its hash.</summary>
public sealed record NewKeyDto(Guid Id, string Key, string Prefix, DateTimeOffset CreatedAt);

public sealed record CreatedAppDto(AppDto App, NewKeyDto Key);

/// <param name="Replaced">The keys that still work until their expiresAt.</param>
public sealed record RotatedKeyDto(NewKeyDto Key, IReadOnlyList<AppKeyDto> Replaced);
