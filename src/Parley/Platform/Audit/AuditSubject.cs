using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Platform.Audit;

/// <summary>What an action was about, as its URL names it: the collection after <c>/api/v1</c> and the first id
/// after it ("conversations", 3f2…), read from the route the request matched, or from the <c>Location</c> of
/// what it created. It tells the entry's brand, so the trail divides by brand like everything else.</summary>
public sealed record AuditSubject(string Collection, string Id)
{
    /// <summary>The subject of the request that just ended; null when it names no single thing.</summary>
    public static AuditSubject? Of(HttpContext http)
    {
        if (FromPath(http.Request.Path.Value) is { } byPath) return byPath;
        // POST /api/v1/channels names its brand in the body; what it created is in the Location.
        return http.Response.Headers.Location.ToString() is { Length: > 0 } location
            && Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out var uri)
            ? FromPath(uri.IsAbsoluteUri ? uri.AbsolutePath : location.Split('?')[0]) : null;
    }

    private static AuditSubject? FromPath(string? path)
    {
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 4 || segments[0] != "api" || segments[1] != "v1") return null;
        // The first segment after the collection is its id (or "me", "preview", …, which resolve to nothing).
        return new AuditSubject(segments[2], segments[3]);
    }

    /// <summary>The brand the subject belongs to; null for what is installation-wide (users, apps, keys,
    /// sign-in) or no longer there.</summary>
    public async Task<Guid?> BrandAsync(ParleyDb db, CancellationToken ct)
    {
        if (!Guid.TryParse(Id, out var id)) return null;
        return Collection switch
        {
            "brands" => await db.Brands.Where(b => b.Id == id).Select(b => (Guid?)b.Id).FirstOrDefaultAsync(ct),
            "conversations" => await db.Conversations.Where(c => c.Id == id).Select(c => (Guid?)c.BrandId).FirstOrDefaultAsync(ct),
            "contacts" => await db.Contacts.Where(c => c.Id == id).Select(c => (Guid?)c.BrandId).FirstOrDefaultAsync(ct),
            "channels" => await db.Channels.Where(c => c.Id == id).Select(c => (Guid?)c.BrandId).FirstOrDefaultAsync(ct),
            "teams" or "queues" => await db.Teams.Where(t => t.Id == id).Select(t => (Guid?)t.BrandId).FirstOrDefaultAsync(ct),
            "templates" => await db.Templates.Where(t => t.Id == id).Select(t => (Guid?)t.BrandId).FirstOrDefaultAsync(ct),
            "service-levels" => await db.ServiceLevelPolicies.Where(p => p.Id == id).Select(p => (Guid?)p.BrandId).FirstOrDefaultAsync(ct),
            "routing-rules" => await db.RoutingRules.Where(r => r.Id == id).Select(r => (Guid?)r.BrandId).FirstOrDefaultAsync(ct),
            "timer-rules" => await db.TimerRules.Where(r => r.Id == id).Select(r => (Guid?)r.BrandId).FirstOrDefaultAsync(ct),
            "knowledge" => await db.Set<Knowledge.KnowledgeArticle>().Where(a => a.Id == id).Select(a => (Guid?)a.BrandId).FirstOrDefaultAsync(ct),
            _ => null,
        };
    }
}
