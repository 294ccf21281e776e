using System.Security.Claims;
using Parley.Data;
using Parley.Platform.Keys;
using Parley.Platform.People;

namespace Parley.Platform.Audit;

/// <summary>Who acted, as the audit trail names them.</summary>
public sealed record AuditActor(string Kind, Guid? Id, string Name, string? Email, Guid? KeyId)
{
    public static AuditActor Anonymous { get; } = new("anonymous", null, "", null, null);

    /// <summary>A signed-in person (session cookie) or an API key (an app's, or the installation's admin key).</summary>
    public static AuditActor Of(ClaimsPrincipal user)
    {
        if (user.Identity is not { IsAuthenticated: true } identity) return Anonymous;
        var id = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var i) ? i : (Guid?)null;
        if (identity.AuthenticationType == ApiKeyAuthentication.SchemeName)
        {
            var app = Guid.TryParse(user.FindFirstValue(ApiKeyAuthentication.AppClaim), out var a) ? a : (Guid?)null;
            // The admin key from settings has no row; its id is then Guid.Empty and means nothing.
            return new AuditActor(app is null ? "key" : "app", app, identity.Name ?? "", null, id == Guid.Empty ? null : id);
        }
        return new AuditActor("person", id, identity.Name ?? "", user.FindFirstValue(ClaimTypes.Email), null);
    }
}

/// <summary>Writes audit entries. Each is saved on a database context of its own, in its own short
/// transaction, after the action has finished: the action's own transaction has committed (or failed)
/// by then, so an audit failure never undoes an action and a failed action is still recorded.</summary>
public sealed partial class AuditLog(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AuditLog> logger)
{
    /// <summary>The entry for an action that just ended, read from the request now (while it is whole).</summary>
    public AuditEntry Entry(AuditActor actor, string action, string method, string route, string targets, int status,
        HttpContext? http, object? detail = null, string? remoteIp = null) => new()
        {
            At = clock.GetUtcNow(),
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = Cut(actor.Name, 200),
            ActorEmail = CutOrNull(actor.Email, 320),
            KeyId = actor.KeyId,
            Action = Cut(action, 120),
            Method = method,
            Route = Cut(route, 300),
            Targets = Cut(targets, 1_000),
            Status = status,
            Detail = detail is null ? null : CutOrNull(System.Text.Json.JsonSerializer.Serialize(detail), 2_000),
            // Forwarded headers change RemoteIpAddress only when Parley:ForwardedHeaders is configured (ForwardedHeadersSetup).
            RemoteIp = remoteIp ?? http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = CutOrNull(http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null, 500),
        };

    /// <param name="subject">What the action was about, which tells the entry's brand.</param>
    public async Task WriteAsync(AuditEntry entry, AuditSubject? subject = null)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            if (subject is not null) entry.BrandId = await subject.BrandAsync(db, CancellationToken.None);
            db.Add(entry);
            // Not the request's token: a client that hangs up after its action still leaves a record.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            LogFailed(logger, entry.Action, entry.Status, entry.ActorKind, entry.ActorId, e);
        }
    }

    /// <summary>One entry per address for the refusals a window did not keep one by one (status 429: too many to keep).</summary>
    public async Task WriteSuppressedAsync(RefusalThrottle.Suppressed window)
    {
        foreach (var (address, count) in window.Counts)
        {
            await WriteAsync(Entry(AuditActor.Anonymous, RefusalThrottle.SuppressedAction, "", "", "", StatusCodes.Status429TooManyRequests, null,
                new { refusals = count, from = window.From, to = window.To, overflow = address == RefusalThrottle.Overflow },
                remoteIp: address is "" or RefusalThrottle.Overflow ? null : address));
        }
    }

    private static string Cut(string? s, int max) => CutOrNull(s, max) ?? "";

    private static string? CutOrNull(string? s, int max) => s is null || s.Length <= max ? s : s[..max];

    [LoggerMessage(LogLevel.Error, "Could not write the audit entry for {Action} (status {Status}) by {Kind} {ActorId}; the action itself stands.")]
    private static partial void LogFailed(ILogger logger, string action, int status, string kind, Guid? actorId, Exception e);
}
