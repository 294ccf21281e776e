using Microsoft.AspNetCore.Http.HttpResults;

namespace Parley.Platform;

/// <summary>The problem details Parley answers with most often, worded so a person can act on them.
/// Always served as application/problem+json.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what, object id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: $"No such {what}",
        detail: $"No {what} has the id {id}.");

    public static ProblemHttpResult Conflict(string title, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);
}
