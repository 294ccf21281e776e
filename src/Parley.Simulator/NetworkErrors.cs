using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Parley.Simulator;

/// <summary>Error answers in each network's own shape, so Parley's error handling meets what it will meet live.</summary>
internal static class NetworkErrors
{
    public static bool IsX(PathString path) => path.StartsWithSegments("/2");

    /// <summary>Graph paths start with a version segment such as <c>v21.0</c>.</summary>
    public static bool IsGraph(PathString path)
    {
        var value = path.Value ?? "";
        return value.Length > 2 && value[1] == 'v' && char.IsAsciiDigit(value[2]);
    }

    public static Task XUnauthorized(HttpContext ctx) => XProblem(ctx, StatusCodes.Status401Unauthorized);

    /// <summary>X API v2 problem for a plain HTTP status (401, 404, 429, 5xx).</summary>
    public static Task XProblem(HttpContext ctx, int status)
    {
        var phrase = ReasonPhrases.GetReasonPhrase(status);
        return JsonResponses.WriteAsync(ctx, status, new JsonObject
        {
            ["title"] = phrase,
            ["detail"] = phrase,
            ["type"] = "about:blank",
            ["status"] = status,
        });
    }

    public static Task XInvalidRequest(HttpContext ctx, string message) =>
        JsonResponses.WriteAsync(ctx, StatusCodes.Status400BadRequest, new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message }),
            ["title"] = "Invalid Request",
            ["detail"] = "One or more parameters to your request was invalid.",
            ["type"] = "https://api.twitter.com/2/problems/invalid-request",
        });

    public static Task Graph(HttpContext ctx, int status, string message, int code, string type = "OAuthException", bool transient = false, int? subcode = null)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = type, ["code"] = code };
        if (subcode is { } s) error["error_subcode"] = s;
        if (transient) error["is_transient"] = true;
        error["fbtrace_id"] = "A" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10));
        return JsonResponses.WriteAsync(ctx, status, new JsonObject { ["error"] = error });
    }

    public static Task GraphMissingToken(HttpContext ctx) =>
        Graph(ctx, StatusCodes.Status400BadRequest, "Invalid OAuth access token - Cannot parse access token", 190);

    public static Task GraphInvalidParameter(HttpContext ctx, string message) =>
        Graph(ctx, StatusCodes.Status400BadRequest, "(#100) " + message, 100);

    /// <summary>An injected <c>status</c> fault, answered in the format of the network the path belongs to.</summary>
    public static Task Fault(HttpContext ctx, int status)
    {
        if (IsGraph(ctx.Request.Path))
        {
            return status >= 500
                ? Graph(ctx, status, "An unexpected error has occurred. Please retry your request later.", 2, transient: true)
                : Graph(ctx, status, "(#" + status + ") " + ReasonPhrases.GetReasonPhrase(status), status);
        }
        return XProblem(ctx, status);
    }

    /// <summary>An injected <c>rate-limit</c> fault: 429 with Retry-After, plus each network's own rate headers.</summary>
    public static Task RateLimited(HttpContext ctx, int retryAfterSeconds)
    {
        var headers = ctx.Response.Headers;
        headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (IsGraph(ctx.Request.Path))
        {
            headers["X-App-Usage"] = """{"call_count":100,"total_cputime":0,"total_time":0}""";
            return Graph(ctx, StatusCodes.Status429TooManyRequests, "(#4) Application request limit reached", 4, transient: true);
        }
        var reset = DateTimeOffset.UtcNow.AddSeconds(retryAfterSeconds).ToUnixTimeSeconds();
        headers["x-rate-limit-limit"] = "300";
        headers["x-rate-limit-remaining"] = "0";
        headers["x-rate-limit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return XProblem(ctx, StatusCodes.Status429TooManyRequests);
    }

    /// <summary>No endpoint matched the path.</summary>
    public static Task NotFound(HttpContext ctx)
    {
        if (IsGraph(ctx.Request.Path))
            return Graph(ctx, StatusCodes.Status400BadRequest, "Unknown path components: " + ctx.Request.Path, 2500);
        if (IsX(ctx.Request.Path)) return XProblem(ctx, StatusCodes.Status404NotFound);
        return JsonResponses.WriteAsync(ctx, StatusCodes.Status404NotFound, new JsonObject { ["error"] = "not found" });
    }
}
