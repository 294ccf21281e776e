using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Platform.People;

namespace Parley.Routing;

/// <summary>Who may change how a brand's work is handed out (queues, routing and timer rules, templates):
/// admins, and leads of that brand. Everyone who works for the brand may read them.</summary>
public static class RoutingAccess
{
    public static bool CanManage(Viewer viewer, Guid brandId) =>
        viewer.IsAdmin || (viewer.Role == UserRole.Lead && viewer.BrandIds.Contains(brandId));

    public static ProblemHttpResult LeadsOnly(string what) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Leads only",
        detail: $"Only an admin or a lead of this brand can change {what}.");
}
