using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Parley.Platform.Audit;

/// <summary>Where a request came from is the connection's address unless the installation names the
/// reverse proxies it trusts (<c>Parley:ForwardedHeaders:KnownProxies</c>, addresses, and/or
/// <c>Parley:ForwardedHeaders:KnownNetworks</c>, CIDR ranges). Only then is X-Forwarded-For believed,
/// and only from those proxies: anyone else could write any address into the header.</summary>
public static class ForwardedHeadersSetup
{
    public static IApplicationBuilder UseForwardedHeadersIfConfigured(this IApplicationBuilder app, IConfiguration config)
    {
        var section = config.GetSection("Parley:ForwardedHeaders");
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        if (proxies.Length == 0 && networks.Length == 0) return app;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var p in proxies) options.KnownProxies.Add(IPAddress.Parse(p));
        foreach (var n in networks) options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
        return app.UseForwardedHeaders(options);
    }
}
