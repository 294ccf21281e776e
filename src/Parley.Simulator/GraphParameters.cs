using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Parley.Simulator;

/// <summary>Graph reads parameters from a JSON body, a form body or the query string alike; object-valued
/// parameters (recipient, message) arrive as JSON text in forms and queries.</summary>
internal sealed class GraphParameters
{
    private readonly JsonObject? json;
    private readonly Dictionary<string, StringValues> form;
    private readonly IQueryCollection query;

    private GraphParameters(JsonObject? json, Dictionary<string, StringValues> form, IQueryCollection query, bool malformed)
    {
        this.json = json;
        this.form = form;
        this.query = query;
        Malformed = malformed;
    }

    /// <summary>The body claimed to be JSON (or looked like it) but did not parse as an object.</summary>
    public bool Malformed { get; }

    public static GraphParameters From(HttpContext ctx)
    {
        var body = JsonResponses.RequestBody(ctx);
        var contentType = ctx.Request.ContentType ?? "";
        var trimmed = body.TrimStart();
        if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith('{'))
        {
            if (trimmed.Length == 0) return new(null, [], ctx.Request.Query, malformed: false);
            try
            {
                return JsonNode.Parse(body) is JsonObject obj
                    ? new(obj, [], ctx.Request.Query, malformed: false)
                    : new(null, [], ctx.Request.Query, malformed: true);
            }
            catch (JsonException)
            {
                return new(null, [], ctx.Request.Query, malformed: true);
            }
        }
        return new(null, QueryHelpers.ParseQuery(body), ctx.Request.Query, malformed: false);
    }

    public string? String(string name)
    {
        if (json?[name] is JsonValue value)
            return value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
        return Raw(name);
    }

    public JsonObject? Object(string name)
    {
        if (json?[name] is JsonObject obj) return obj;
        var raw = json?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : Raw(name);
        if (string.IsNullOrWhiteSpace(raw)) return null;
        try
        {
            return JsonNode.Parse(raw) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string? Raw(string name)
    {
        if (form.TryGetValue(name, out var formValue) && formValue.Count > 0) return formValue[0];
        return query.TryGetValue(name, out var queryValue) && queryValue.Count > 0 ? queryValue[0] : null;
    }
}
