using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Parley.Platform.Keys;

namespace Parley.Platform.Apps;

/// <summary>The scope an endpoint needs, as endpoint metadata. The most specific declaration wins
/// (an inner group over an outer one).</summary>
public sealed record RequiredScope(string Scope);

/// <summary>Declares scopes where endpoint groups are mapped, so the whole table lives in ParleyApp.</summary>
public static class ScopeDeclarations
{
    /// <summary>Every endpoint of the group needs <paramref name="scope"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(b => b.Metadata.Add(new RequiredScope(scope)));
        return builder;
    }

    /// <summary>Reading (GET, HEAD) needs <paramref name="read"/>; anything else needs <paramref name="write"/>.</summary>
    public static TBuilder RequireScopes<TBuilder>(this TBuilder builder, string read, string write) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(b =>
        {
            var methods = b.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            var reads = methods.Count > 0 && methods.All(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m));
            b.Metadata.Add(new RequiredScope(reads ? read : write));
        });
        return builder;
    }

    /// <summary>The scope an endpoint needs: its declaration, or admin when it has none.</summary>
    public static string ScopeOf(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<RequiredScope>()?.Scope ?? ApiScopes.Admin;
}

/// <summary>API keys must hold the endpoint's scope (or admin). People are not checked here: their role
/// decides, through the admin policy and <see cref="People.Viewer"/>.</summary>
public sealed class ScopeRequirement : IAuthorizationRequirement
{
    public const string Policy = "scoped";
}

public sealed class MissingScope(IAuthorizationHandler handler, string scope)
    : AuthorizationFailureReason(handler, $"This operation needs the '{scope}' scope.")
{
    public string Scope { get; } = scope;
}

public sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.Identity?.AuthenticationType != ApiKeyAuthentication.SchemeName)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var endpoint = context.Resource switch
        {
            HttpContext http => http.GetEndpoint(),
            Endpoint e => e,
            _ => null,
        };
        var scope = ScopeDeclarations.ScopeOf(endpoint);
        if (context.User.HasClaim(ApiKeyAuthentication.ScopeClaim, scope) || context.User.HasClaim(ApiKeyAuthentication.ScopeClaim, ApiScopes.Admin))
            context.Succeed(requirement);
        else
            context.Fail(new MissingScope(this, scope));
        return Task.CompletedTask;
    }
}

/// <summary>Answers a missing scope with problem details that name it; every other outcome is the default.</summary>
public sealed class ScopeProblemResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<MissingScope>().FirstOrDefault() is { } missing)
        {
            var granted = context.User.FindAll(ApiKeyAuthentication.ScopeClaim).Select(c => c.Value).ToList();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Missing scope",
                    Detail = $"This operation needs the '{missing.Scope}' scope; the key's app has {(granted.Count == 0 ? "none" : string.Join(", ", granted.Select(g => $"'{g}'")))}. " +
                        "An admin can add the scope to the app (PATCH /api/v1/apps/{id}).",
                    Extensions = { ["requiredScope"] = missing.Scope },
                },
            });
            return;
        }
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<People.RoleRefusal>().FirstOrDefault() is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = refusal.Title, Detail = refusal.Message },
            });
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
