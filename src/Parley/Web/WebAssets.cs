using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;

namespace Parley.Web;

/// <summary>The workspace's scripts and styles, served from <c>Web/Assets</c> beside the binary with no
/// build step. Pages link them with a content hash, so browsers cache them for good and a new
/// release is fetched at once.</summary>
public sealed class WebAssets
{
    public const string RequestPath = "/assets";
    private readonly Dictionary<string, string> _versions;

    public WebAssets()
    {
        Root = Path.Combine(AppContext.BaseDirectory, "Web", "Assets");
        _versions = Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))[..12])
            : [];
    }

    public string Root { get; }

    public string Url(string file) => $"{RequestPath}/{file}?v={_versions.GetValueOrDefault(file, "0")}";

    public static IApplicationBuilder UseWebAssets(IApplicationBuilder app)
    {
        var assets = app.ApplicationServices.GetRequiredService<WebAssets>();
        if (!Directory.Exists(assets.Root)) return app;
        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = RequestPath,
            FileProvider = new PhysicalFileProvider(assets.Root),
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers.CacheControl = ctx.Context.Request.Query.ContainsKey("v")
                    ? "public, max-age=31536000, immutable" : "no-cache";
                ctx.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });
    }
}
