using Microsoft.AspNetCore.Authorization;

namespace Parley.Platform.People;

/// <summary>Why a person's role refused a request (answered as 403 problem details naming the role).</summary>
public sealed class RoleRefusal(IAuthorizationHandler handler, string title, string detail) : AuthorizationFailureReason(handler, detail)
{
    public string Title { get; } = title;
}

/// <summary>Marks admin endpoints whose answers are divided by brand (the audit trail): a brand-bound auditor may
/// use them and sees their brands' part.</summary>
public sealed record DividedByBrand;

/// <summary>The one place the auditor role is enforced, on every /api/v1 endpoint (it runs with the scope
/// requirement every API endpoint carries, see ParleyApp): an auditor changes nothing (any method but GET,
/// HEAD and OPTIONS is refused, whatever the endpoint), and an auditor bound to brands (a member of teams)
/// does not see the installation's operation (the admin group: brands, channels, apps, the raw log), which is not
/// divided by brand, except where an endpoint is marked <see cref="DividedByBrand"/> (the audit trail). The
/// workspace pages only read; their scripts hide what an auditor cannot use, and this check refuses it if they
/// did not.</summary>
public sealed class ReadOnlyRole : AuthorizationHandler<Apps.ScopeRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, Apps.ScopeRequirement requirement)
    {
        if (context.User.Identity?.AuthenticationType != Sessions.CookieScheme || !context.User.IsInRole(Sessions.RoleName(UserRole.Auditor))) return;
        if (context.Resource is not HttpContext http) return;
        var method = http.Request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)))
        {
            context.Fail(new RoleRefusal(this, "Read-only role",
                "Auditors read everything they may see but change nothing. Ask an admin to make the change."));
            return;
        }
        var metadata = http.GetEndpoint()?.Metadata;
        var installationWide = metadata?.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Sessions.Policies.Admin) == true
            && metadata.GetMetadata<DividedByBrand>() is null;
        if (installationWide && (await Viewer.BindAsync(http)).IsBrandBoundAuditor)
            context.Fail(new RoleRefusal(this, "Not for brand-bound auditors",
                "This is the installation's operation, across every brand; an auditor in a brand's teams sees that brand's conversations, people and settings."));
    }
}
