using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Parley.Data;

namespace Parley.Platform.Keys;

/// <summary>Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the stored key hashes. An app's
/// key carries the app's scopes and brands; an installation key carries its own scopes.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IMemoryCache cache, IProblemDetailsService problems, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    /// <summary>One claim per brand the key is limited to; none means every brand.</summary>
    public const string BrandClaim = "parley:brand";
    public const string AppClaim = "parley:app";
    /// <summary>Requests a minute; absent for installation keys, which are not limited.</summary>
    public const string RateClaim = "parley:rate";

    private sealed record KeyInfo(Guid Id, string Name, string Scopes, Guid? AppId, string BrandIds, int? RatePerMinute, DateTimeOffset? ExpiresAt);

    public static string CacheKey(string hash) => "apikey:" + hash;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();

        var hash = ApiKey.HashOf(header["Bearer ".Length..].Trim());
        // A short cache keeps the database off the hot path; revoking a key or changing its app clears
        // the entry on this node, and other nodes follow within the cache's lifetime.
        var info = await cache.GetOrCreateAsync(CacheKey(hash), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10);
            var db = Context.RequestServices.GetRequiredService<ParleyDb>();
            var key = await db.ApiKeys.AsNoTracking().Where(k => k.Hash == hash && k.RevokedAt == null)
                .Select(k => new { k.Id, k.Name, k.Scopes, k.AppId, k.ExpiresAt }).FirstOrDefaultAsync();
            if (key is null) return null;
            if (key.AppId is not { } appId) return new KeyInfo(key.Id, key.Name, key.Scopes, null, "", null, key.ExpiresAt);
            var app = await db.Apps.AsNoTracking().Where(a => a.Id == appId && a.DeletedAt == null)
                .Select(a => new { a.Name, a.Scopes, a.BrandIds, a.RateLimitPerMinute }).FirstOrDefaultAsync();
            return app is null ? null : new KeyInfo(key.Id, app.Name, app.Scopes, appId, app.BrandIds, app.RateLimitPerMinute, key.ExpiresAt);
        });
        if (info is null || info.ExpiresAt <= clock.GetUtcNow())
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, info.Id.ToString()), new(ClaimTypes.Name, info.Name) };
        claims.AddRange(info.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(ScopeClaim, s)));
        claims.AddRange(info.BrandIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => new Claim(BrandClaim, b)));
        if (info.AppId is { } id) claims.Add(new Claim(AppClaim, id.ToString()));
        if (info.RatePerMinute is { } rate) claims.Add(new Claim(RateClaim, rate.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failed = Request.Headers.Authorization.Count > 0;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = failed ? "Invalid API key" : "API key required",
                Detail = failed
                    ? "The key in the Authorization header is unknown, has been revoked, or expired after a rotation."
                    : "Send an API key as 'Authorization: Bearer <key>'.",
            },
        });
    }
}
