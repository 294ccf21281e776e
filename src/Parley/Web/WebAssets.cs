using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace Parley.Web;

/// <summary>The workspace's scripts and styles, served from <c>Web/Assets</c> beside the binary with no
/// build step. Pages link them with a content hash, so browsers cache them for good and a new
/// release is fetched at once.</summary>
/// <remarks>The scripts' own imports (<c>from './common.js'</c>) are given the same hash when served, so a
/// page's modules all come from the cache too. Unversioned, each page load revalidated every imported module
/// before the page could ask for its data: one more round trip before the first paint (docs/adr/0020).
/// A script's version covers the versions of what it imports, so a change anywhere reaches every page.</remarks>
public sealed partial class WebAssets
{
    public const string RequestPath = "/assets";
    private readonly Dictionary<string, string> _versions;
    /// <summary>Scripts with their imports versioned, as served.</summary>
    private readonly Dictionary<string, byte[]> _scripts = [];

    public WebAssets()
    {
        Root = Path.Combine(AppContext.BaseDirectory, "Web", "Assets");
        _versions = Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root).Where(f => !f.EndsWith(".js", StringComparison.Ordinal))
                .ToDictionary(f => Path.GetFileName(f), f => Hash(File.ReadAllBytes(f)))
            : [];
        if (!Directory.Exists(Root)) return;
        var sources = Directory.EnumerateFiles(Root, "*.js").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        foreach (var name in sources.Keys) Versioned(name, sources, []);
    }

    public string Root { get; }

    public string Url(string file) => $"{RequestPath}/{file}?v={_versions.GetValueOrDefault(file, "0")}";

    [GeneratedRegex(@"(from\s+'\./)([A-Za-z0-9_-]+\.js)(')")]
    private static partial Regex Import();

    /// <summary>The script with its imports pointing at their versions; imports first, since their versions go in.</summary>
    private void Versioned(string name, Dictionary<string, string> sources, HashSet<string> visiting)
    {
        if (_scripts.ContainsKey(name) || !visiting.Add(name)) return;
        var text = Import().Replace(sources[name], m =>
        {
            var target = m.Groups[2].Value;
            if (!sources.ContainsKey(target)) return m.Value;
            Versioned(target, sources, visiting);
            // An import cycle leaves the inner edge unversioned (still correct, only revalidated).
            return _versions.TryGetValue(target, out var v) ? $"{m.Groups[1].Value}{target}?v={v}{m.Groups[3].Value}" : m.Value;
        });
        var bytes = Encoding.UTF8.GetBytes(text);
        _scripts[name] = bytes;
        _versions[name] = Hash(bytes);
        visiting.Remove(name);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];

    public static IApplicationBuilder UseWebAssets(IApplicationBuilder app)
    {
        var assets = app.ApplicationServices.GetRequiredService<WebAssets>();
        if (!Directory.Exists(assets.Root)) return app;
        app.Use(async (http, next) =>
        {
            if ((HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
                && http.Request.Path.StartsWithSegments(RequestPath, out var rest)
                && assets._scripts.TryGetValue(rest.Value?.TrimStart('/') ?? "", out var script))
            {
                var name = rest.Value!.TrimStart('/');
                var etag = $"\"{assets._versions[name]}\"";
                Caching(http);
                http.Response.Headers.ETag = etag;
                if (http.Request.Headers.IfNoneMatch == etag)
                {
                    http.Response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                }
                http.Response.ContentType = "text/javascript; charset=utf-8";
                http.Response.ContentLength = script.Length;
                if (HttpMethods.IsGet(http.Request.Method)) await http.Response.Body.WriteAsync(script, http.RequestAborted);
                return;
            }
            await next(http);
        });
        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = RequestPath,
            FileProvider = new PhysicalFileProvider(assets.Root),
            OnPrepareResponse = ctx => Caching(ctx.Context),
        });
    }

    private static void Caching(HttpContext http)
    {
        http.Response.Headers.CacheControl = http.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
    }
}
