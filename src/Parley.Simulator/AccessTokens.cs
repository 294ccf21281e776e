namespace Parley.Simulator;

/// <summary>Finds the access token in a call, as each network accepts it.</summary>
internal static class AccessTokens
{
    /// <summary><c>Bearer &lt;token&gt;</c> (OAuth 2.0), or the <c>oauth_token</c> of an OAuth 1.0a header
    /// (X accepts both for user-context calls). Null when absent or empty.</summary>
    public static string? FromAuthorization(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString().Trim();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length == 0 ? null : token;
        }
        if (header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var part in header["OAuth ".Length..].Split(','))
            {
                var pair = part.Trim().Split('=', 2);
                if (pair.Length == 2 && pair[0] == "oauth_token")
                {
                    var token = Uri.UnescapeDataString(pair[1].Trim('"'));
                    return token.Length == 0 ? null : token;
                }
            }
        }
        return null;
    }

    /// <summary>Graph takes the token from the Authorization header, the query or a form field.</summary>
    public static string? ForGraph(HttpContext ctx, GraphParameters parameters)
    {
        if (FromAuthorization(ctx) is { } header) return header;
        var token = parameters.String("access_token");
        return string.IsNullOrWhiteSpace(token) ? null : token;
    }
}
