using System.Text.Json.Nodes;

namespace Parley.Simulator;

/// <summary>Writes JSON answers the way the networks do: UTF-8, compact, <c>application/json</c>.</summary>
internal static class JsonResponses
{
    public static Task WriteAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }

    /// <summary>The request body, read once by <see cref="TrafficRecorder"/> before the endpoint runs.</summary>
    public static string RequestBody(HttpContext ctx) => ctx.Items[TrafficRecorder.BodyKey] as string ?? "";

    public static JsonArray Array(IEnumerable<JsonNode?> items) => [.. items];
}
