using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Parley.Platform;

/// <summary>The problem details Parley answers with most often, worded so a person can act on them.</summary>
public static class Problems
{
    public static NotFound<ProblemDetails> NotFound(string what, object id) => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = $"No such {what}",
        Detail = $"No {what} has the id {id}.",
        Type = "https://httpwg.org/specs/rfc9110.html#status.404",
    });
}
