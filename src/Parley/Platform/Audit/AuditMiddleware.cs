using System.Text;
using Microsoft.AspNetCore.Routing;

namespace Parley.Platform.Audit;

/// <summary>Marks an endpoint whose reads are audited too (an export, a reveal), or names a write's
/// action when the name derived from its route would be unclear.</summary>
/// <param name="Action">The action name, e.g. "audit.export".</param>
/// <param name="QueryDetail">Query parameters worth keeping (never a token or a key).</param>
public sealed record Audited(string Action, params string[] QueryDetail);

/// <summary>The one place actions are recorded. After each request that changes something (any method
/// but GET, HEAD and OPTIONS) to the API or the workspace's forms, and after each read an endpoint marks
/// <see cref="Audited"/>, one entry is written with the outcome's status, whether the action succeeded,
/// was refused (401/403/400) or failed (500). Network webhooks are not actions of a person or an app.</summary>
public static class AuditMiddleware
{
    public const string SignIn = "session.sign_in";
    public const string SignOut = "session.sign_out";

    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<AuditLog>();
        var throttle = app.ApplicationServices.GetRequiredService<RefusalThrottle>();
        return app.Use(async (http, next) =>
        {
            var status = 0;
            try
            {
                await next(http);
                status = http.Response.StatusCode;
            }
            catch
            {
                // The exception handler outside answers 500; the action is recorded as failed either way.
                status = StatusCodes.Status500InternalServerError;
                throw;
            }
            finally
            {
                if (ShouldRecord(http) is { } audited && Kept(throttle, log, http, status)) await RecordAsync(log, http, audited, status);
            }
        });
    }

    /// <summary>Null when the request is not an action to keep.</summary>
    private static Audited? ShouldRecord(HttpContext http)
    {
        var request = http.Request;
        // Networks' deliveries are not actions of a person or an app; "typing…" is a passing signal, never stored.
        if (request.Path.StartsWithSegments("/webhooks") || request.Path.StartsWithSegments("/api/v1/presence")) return null;
        var marked = http.GetEndpoint()?.Metadata.GetMetadata<Audited>();
        if (marked is not null) return marked;
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) return null;
        if (request.Path.StartsWithSegments("/api")) return new Audited("");
        if (request.Path.StartsWithSegments("/sign-out")) return new Audited(SignOut);
        if (request.Path.StartsWithSegments("/sign-in")) return new Audited(SignIn);
        return null;
    }

    /// <summary>Whether a refusal of a caller who is not signed in is kept one by one (<see cref="RefusalThrottle"/>);
    /// a window that just ended has its suppressed count written.</summary>
    private static bool Kept(RefusalThrottle throttle, AuditLog log, HttpContext http, int status)
    {
        if (http.User.Identity?.IsAuthenticated == true || status is < 400 or >= 500) return true;
        var keep = throttle.Keep(http.Connection.RemoteIpAddress?.ToString(), out var ended);
        if (ended is not null) http.Response.OnCompleted(() => log.WriteSuppressedAsync(ended));
        return keep;
    }

    private static async Task RecordAsync(AuditLog log, HttpContext http, Audited audited, int status)
    {
        var endpoint = http.GetEndpoint() as RouteEndpoint;
        var route = endpoint?.RoutePattern.RawText is { } raw ? "/" + raw.TrimStart('/') : http.Request.Path.Value ?? "";
        var action = audited.Action.Length > 0 ? audited.Action : ActionName(http.Request.Method, endpoint, http.Request.Path);
        var targets = new StringBuilder();
        foreach (var (name, value) in http.GetRouteData().Values)
        {
            if (value is null) continue;
            if (targets.Length > 0) targets.Append(' ');
            targets.Append(name).Append('=').Append(value);
        }
        Dictionary<string, string>? detail = null;
        foreach (var name in audited.QueryDetail)
        {
            if (http.Request.Query.TryGetValue(name, out var v) && v.ToString() is { Length: > 0 } s)
                (detail ??= [])[name] = s.Length > 100 ? s[..100] : s;
        }
        var actor = action == SignIn ? await SignInActorAsync(http) : AuditActor.Of(http.User);
        var entry = log.Entry(actor, action, http.Request.Method, route, targets.ToString(), status, http, detail);
        // Written once the response has gone out: the caller does not wait for the audit's insert (nor for the
        // look-up of its brand, which needs the Location of what a POST created).
        http.Response.OnCompleted(() => log.WriteAsync(entry, AuditSubject.Of(http)));
    }

    /// <summary>Whoever a sign-in was for, by the address typed (success is a redirect; 401 and 429 are refusals).
    /// The password is never read here.</summary>
    private static async Task<AuditActor> SignInActorAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return AuditActor.Anonymous;
        string email;
        try { email = (await http.Request.ReadFormAsync(CancellationToken.None))["email"].ToString().Trim(); }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException) { return AuditActor.Anonymous; }
        if (email.Length == 0) return AuditActor.Anonymous;
        var normalized = People.SignIn.Normalize(email);
        var db = http.RequestServices.GetRequiredService<Data.ParleyDb>();
        var user = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => new { u.Id, u.Name }), CancellationToken.None);
        return new AuditActor("person", user?.Id, user?.Name ?? "", email.Length > 320 ? email[..320] : email, null);
    }

    /// <summary>"conversations.replies.create" from POST /api/v1/conversations/{id}/replies: the route's literal
    /// segments, then what the method does. A POST whose last segment is a verb after an id
    /// (/conversations/{id}/assign, /webhooks/{id}/deliveries/{deliveryId}/redeliver) is named by its segments
    /// alone; a plural there (replies, notes, keys) is a collection the POST adds to.</summary>
    public static string ActionName(string method, RouteEndpoint? endpoint, PathString path)
    {
        List<string> literals;
        bool endsInCommand;
        if (endpoint is not null)
        {
            var segments = endpoint.RoutePattern.PathSegments;
            literals = segments.Where(s => s.IsSimple && s.Parts[0].IsLiteral)
                .Select(s => ((Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart)s.Parts[0]).Content).ToList();
            endsInCommand = segments.Count >= 2 && segments[^1].IsSimple && segments[^1].Parts[0].IsLiteral
                && segments[^2].Parts.Any(p => p.IsParameter) && !literals[^1].EndsWith('s');
        }
        else
        {
            literals = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
            endsInCommand = false;
        }
        if (literals.Count >= 2 && literals[0] == "api" && literals[1] == "v1") literals = literals[2..];
        var name = literals.Count == 0 ? "request" : string.Join('.', literals.Select(l => l.Replace('-', '_')));
        if (endsInCommand && HttpMethods.IsPost(method)) return name;
        var verb = method.ToUpperInvariant() switch
        {
            "POST" => "create",
            "PUT" => "set",
            "PATCH" => "update",
            "DELETE" => "delete",
            "GET" => "read",
            _ => method.ToLowerInvariant(),
        };
        return name + "." + verb;
    }
}
