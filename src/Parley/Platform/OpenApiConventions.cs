using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Platform;

/// <summary>What every operation of the OpenAPI document gets without each endpoint spelling it out, so the
/// document lints clean with Spectral's OpenAPI ruleset (.spectral.yaml): an operation id made from the method
/// and the route, and server URLs without a trailing slash.</summary>
public static class OpenApiConventions
{
    public static OpenApiOptions AddParleyConventions(this OpenApiOptions options) => options
        .AddOperationTransformer((operation, context, _) =>
        {
            // Generated clients name their methods after these, so they must stay stable: they follow the route
            // (GET /api/v1/apps/{appId}/webhooks -> getAppsByAppIdWebhooks); .WithName(...) on an endpoint wins.
            if (string.IsNullOrEmpty(operation.OperationId))
                operation.OperationId = OperationId(context.Description.HttpMethod ?? "get", context.Description.RelativePath ?? "");
            return Task.CompletedTask;
        })
        .AddDocumentTransformer((document, _, _) =>
        {
            // The server is the address the document was asked at, which ends in '/'; paths already start with one.
            foreach (var server in document.Servers ?? [])
                if (server.Url is { Length: > 1 } url && url.EndsWith('/')) server.Url = url.TrimEnd('/');
            return Task.CompletedTask;
        });

    public static string OperationId(string method, string relativePath)
    {
        var id = new StringBuilder(method.ToLowerInvariant());
        var path = relativePath.StartsWith("api/v1/", StringComparison.Ordinal) ? relativePath["api/v1/".Length..] : relativePath;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var isParameter = segment.StartsWith('{');
            if (isParameter) id.Append("By");
            var name = isParameter ? segment.Trim('{', '}').Split(':')[0].TrimEnd('?') : segment;
            foreach (var word in name.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries))
                id.Append(char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }
        return id.ToString();
    }
}
