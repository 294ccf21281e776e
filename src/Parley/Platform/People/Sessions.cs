using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Parley.Data;
using Parley.Platform.Keys;

namespace Parley.Platform.People;

/// <summary>How a request proves who it is: an application sends an API key, a person carries a
/// session cookie from signing in. One forwarding scheme picks between them per request, so every
/// endpoint accepts both and <see cref="Viewer"/> decides what each may see.</summary>
public static class Sessions
{
    /// <summary>The forwarding scheme every endpoint authenticates with.</summary>
    public const string Scheme = "Parley";
    /// <summary>The cookie scheme of signed-in people.</summary>
    public const string CookieScheme = "Session";
    public const string CookieName = "parley_session";
    /// <summary>Changes when the password does, so a reset ends every other session.</summary>
    public const string StampClaim = "parley:stamp";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public static class Policies
    {
        /// <summary>A person with the admin or auditor role, or an API key (whose scope the scope policy checks:
        /// see Platform/Apps/ScopeAuthorization.cs). What an auditor may not do is refused in one place,
        /// <see cref="ReadOnlyRole"/>.</summary>
        public const string Admin = "admin";
        /// <summary>A signed-in person (the workspace pages; API keys cannot use them).</summary>
        public const string Person = "person";
    }

    public static void AddParleySessions(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or session", o => o.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                // A shift is eight hours; a session that is used stays alive, one left alone ends.
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                o.SlidingExpiration = true;
                o.LoginPath = "/sign-in";
                o.LogoutPath = "/sign-out";
                o.AccessDeniedPath = "/";
                o.Events.OnRedirectToLogin = ctx => Answer(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Answer(ctx, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = ValidateAsync;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireAssertion(c =>
                c.User.Identity?.AuthenticationType == ApiKeyAuthentication.SchemeName || c.User.IsInRole(RoleName(UserRole.Admin)) || c.User.IsInRole(RoleName(UserRole.Auditor))))
            .AddPolicy(Apps.ScopeRequirement.Policy, p => p.AddRequirements(new Apps.ScopeRequirement()))
            .AddPolicy(Policies.Person, p => p.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser());
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "parley_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddSingleton<SignIn>();
        services.AddSingleton<IAuthorizationHandler, Apps.ScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, ReadOnlyRole>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, Apps.ScopeProblemResultHandler>();
    }

    /// <summary>An API key wins when one is sent; the API answers a request with neither with the
    /// API-key challenge; everything else (the pages) is a person's session.</summary>
    private static string SelectScheme(HttpContext http)
    {
        if (http.Request.Headers.Authorization.Count > 0) return ApiKeyAuthentication.SchemeName;
        if (IsApi(http.Request) && !http.Request.Cookies.ContainsKey(CookieName)) return ApiKeyAuthentication.SchemeName;
        return CookieScheme;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>The API answers 401/403 (with problem details from the status-code pages) where a
    /// page would redirect to the sign-in form.</summary>
    private static Task Answer(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (!IsApi(ctx.Request) && !ctx.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal))
        {
            ctx.Response.Redirect(ctx.RedirectUri);
            return Task.CompletedTask;
        }
        return (status == StatusCodes.Status403Forbidden
            ? Results.Problem(statusCode: status, title: "Not allowed for your role",
                detail: "This is for admins: sign in as an admin, or use an admin API key.")
            : Results.Problem(statusCode: status, title: "Signed out",
                detail: "The session has ended (signed out, expired, or the account changed). Sign in again.")).ExecuteAsync(ctx.HttpContext);
    }

    private sealed record SessionUser(string Name, string Email, UserRole Role, string Stamp);

    /// <summary>A disabled person or a changed password ends the session; a changed name or role is
    /// picked up without signing in again.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        if (!Guid.TryParse(ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            await Reject(ctx);
            return;
        }
        var cache = ctx.HttpContext.RequestServices.GetRequiredService<IMemoryCache>();
        var current = await cache.GetOrCreateAsync("session-user:" + id, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5);
            var db = ctx.HttpContext.RequestServices.GetRequiredService<ParleyDb>();
            var user = await db.Users.AsNoTracking().Where(u => u.Id == id && u.DisabledAt == null)
                .Select(u => new { u.Name, u.Email, u.Role, u.PasswordHash }).FirstOrDefaultAsync(ctx.HttpContext.RequestAborted);
            return user is null ? null : new SessionUser(user.Name, user.Email, user.Role, StampOf(user.PasswordHash));
        });
        if (current is null || ctx.Principal!.FindFirstValue(StampClaim) != current.Stamp)
        {
            await Reject(ctx);
            return;
        }
        if (ctx.Principal!.Identity!.Name != current.Name || !ctx.Principal.IsInRole(RoleName(current.Role)))
        {
            ctx.ReplacePrincipal(PrincipalFor(id, current.Name, current.Email, current.Role, current.Stamp));
            ctx.ShouldRenew = true;
        }
    }

    private static async Task Reject(CookieValidatePrincipalContext ctx)
    {
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(CookieScheme);
    }

    public static string RoleName(UserRole role) => role.ToString().ToLowerInvariant();

    public static string StampOf(string passwordHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..16];

    public static ClaimsPrincipal PrincipalFor(User user) =>
        PrincipalFor(user.Id, user.Name, user.Email, user.Role, StampOf(user.PasswordHash));

    private static ClaimsPrincipal PrincipalFor(Guid id, string name, string email, UserRole role, string stamp) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString()),
            new Claim(ClaimTypes.Name, name),
            new Claim(ClaimTypes.Email, email),
            new Claim(ClaimTypes.Role, RoleName(role)),
            new Claim(StampClaim, stamp),
        ], CookieScheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>Requests that change something and ride on the session cookie must carry the page's
    /// anti-forgery token (header <see cref="AntiforgeryHeader"/> or the form field); API keys are not
    /// sent by browsers on their own, so requests with one need none.</summary>
    public static IApplicationBuilder UseSessionAntiforgery(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var method = http.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        if (!safe && http.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieScheme })
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Stale or missing security token",
                    detail: $"Requests made with a session must carry the page's anti-forgery token in the {AntiforgeryHeader} header. Reload the page and try again.")
                    .ExecuteAsync(http);
                return;
            }
        }
        await next(http);
    });
}
