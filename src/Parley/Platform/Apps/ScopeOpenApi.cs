using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Platform.Apps;

/// <summary>Publishes each operation's scope in the OpenAPI document: as <c>x-parley-scope</c> (which the
/// scope-isolation test reads), as the bearer requirement's role and in the description for people.</summary>
public static class ScopeOpenApi
{
    public const string Extension = "x-parley-scope";

    public static OpenApiOptions AddScopes(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true) return Task.CompletedTask;
        var scope = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().LastOrDefault()?.Scope ?? ApiScopes.Admin;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[Extension] = new JsonNodeExtension(JsonValue.Create(scope));
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [scope] });
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No key or session, or the key is unknown, revoked or expired (problem details)." });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = $"Not allowed: for an app's key, it lacks the `{scope}` scope (problem details with requiredScope)." });
        operation.Responses.TryAdd("429", new OpenApiResponse { Description = "The key is over its app's rate limit; try again after Retry-After seconds (problem details)." });
        var note = $"Apps need the `{scope}` scope.";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? note : operation.Description + "\n\n" + note;
        return Task.CompletedTask;
    });
}
