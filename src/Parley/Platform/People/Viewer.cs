using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Platform.People;

/// <summary>Who is asking, and which conversations they may see. Bound as an endpoint parameter, so
/// every handler that lists or opens conversations filters through the same rule:
/// <list type="bullet">
/// <item>an admin API key or an admin person sees everything;</item>
/// <item>an app's key sees everything of the brands the app is limited to (every brand when it is not
/// limited); its scopes, checked before the handler runs, decide what it may do there;</item>
/// <item>a lead sees every conversation of the brands of their teams;</item>
/// <item>an auditor sees everything when in no team, else everything of their teams' brands (and changes nothing:
/// <see cref="ReadOnlyRole"/>);</item>
/// <item>an agent sees the conversations of their teams, the brand's conversations in no team's
/// queue yet (the shared front line until routing puts them somewhere), and any assigned to them.</item>
/// </list>
/// Memberships are read from the database on each request, so a change takes effect at once.</summary>
public sealed class Viewer
{
    public bool SeesEverything { get; private init; }
    /// <summary>The person, when a person (not an app) is asking.</summary>
    public Guid? UserId { get; private init; }
    public string Name { get; private init; } = "";
    public UserRole? Role { get; private init; }
    public IReadOnlyList<Guid> TeamIds { get; private init; } = [];
    public IReadOnlyList<Guid> BrandIds { get; private init; } = [];

    /// <summary>The app whose key is asking, if any.</summary>
    public Guid? AppId { get; private init; }
    /// <summary>An app limited to some brands: it acts with an admin's authority inside them only.</summary>
    public bool IsBrandLimitedApp { get; private init; }
    /// <summary>An auditor in teams: reads like an admin inside their teams' brands only.</summary>
    public bool IsBrandBoundAuditor { get; private init; }
    public bool IsAuditor => Role == UserRole.Auditor;

    public bool IsPerson => UserId is not null;
    /// <summary>May change what its brands allow admins to change (the scope check has already run for apps).</summary>
    public bool IsAdmin => SeesEverything || IsBrandLimitedApp || IsBrandBoundAuditor;

    public static Viewer Everything(string name) => new() { SeesEverything = true, Name = name };

    public static Viewer Nobody { get; } = new();

    /// <summary>Minimal APIs call this to bind a <see cref="Viewer"/> parameter.</summary>
    public static async ValueTask<Viewer> BindAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(typeof(Viewer), out var cached) && cached is Viewer known) return known;
        var viewer = await ForAsync(http.User, http.RequestServices.GetRequiredService<ParleyDb>(), http.RequestAborted);
        http.Items[typeof(Viewer)] = viewer;
        return viewer;
    }

    public static async Task<Viewer> ForAsync(ClaimsPrincipal principal, ParleyDb db, CancellationToken ct)
    {
        if (principal.Identity is not { IsAuthenticated: true } identity) return Nobody;
        if (identity.AuthenticationType == Keys.ApiKeyAuthentication.SchemeName)
        {
            var appId = Guid.TryParse(principal.FindFirstValue(Keys.ApiKeyAuthentication.AppClaim), out var a) ? a : (Guid?)null;
            var brands = principal.FindAll(Keys.ApiKeyAuthentication.BrandClaim).Select(c => Guid.Parse(c.Value)).ToList();
            if (brands.Count == 0) return new Viewer { SeesEverything = true, Name = identity.Name ?? "api", AppId = appId };
            return new Viewer { IsBrandLimitedApp = true, Name = identity.Name ?? "api", AppId = appId, BrandIds = brands };
        }
        return Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)
            ? await ForUserAsync(db, userId, ct) : Nobody;
    }

    /// <summary>What a person may see, e.g. to check that someone @mentioned can open the conversation.</summary>
    public static async Task<Viewer> ForUserAsync(ParleyDb db, Guid userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.DisabledAt == null)
            .Select(u => new { u.Id, u.Name, u.Role }).FirstOrDefaultAsync(ct);
        if (user is null) return Nobody;
        var teams = await db.TeamMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { t.Id, t.BrandId }).ToListAsync(ct);
        return new Viewer
        {
            SeesEverything = user.Role == UserRole.Admin || (user.Role == UserRole.Auditor && teams.Count == 0),
            IsBrandBoundAuditor = user.Role == UserRole.Auditor && teams.Count > 0,
            UserId = user.Id,
            Name = user.Name,
            Role = user.Role,
            TeamIds = teams.Select(t => t.Id).ToList(),
            BrandIds = teams.Select(t => t.BrandId).Distinct().ToList(),
        };
    }

    /// <summary>The conversations this viewer may see, as a query the database answers.</summary>
    public IQueryable<Conversation> Visible(IQueryable<Conversation> conversations)
    {
        if (SeesEverything) return conversations;
        var brands = BrandIds.ToArray();
        if (IsBrandLimitedApp || IsBrandBoundAuditor) return conversations.Where(c => brands.Contains(c.BrandId));
        if (UserId is not { } me) return conversations.Where(_ => false);
        if (Role == UserRole.Lead) return conversations.Where(c => brands.Contains(c.BrandId) || c.AssigneeId == me);
        var teams = TeamIds.ToArray();
        return conversations.Where(c =>
            (c.TeamId != null && teams.Contains(c.TeamId.Value))
            || (c.TeamId == null && brands.Contains(c.BrandId))
            || c.AssigneeId == me);
    }

    /// <summary>The same rule in memory, for things already loaded (live events, presence).</summary>
    public bool CanSee(Guid brandId, Guid? teamId, Guid? assigneeId)
    {
        if (SeesEverything) return true;
        if (IsBrandLimitedApp || IsBrandBoundAuditor) return BrandIds.Contains(brandId);
        if (UserId is not { } me) return false;
        if (assigneeId == me) return true;
        if (Role == UserRole.Lead) return BrandIds.Contains(brandId);
        return teamId is { } t ? TeamIds.Contains(t) : BrandIds.Contains(brandId);
    }

    /// <summary>Brands whose settings (teams, people) this viewer may read.</summary>
    public bool SeesBrand(Guid brandId) => SeesEverything || BrandIds.Contains(brandId);
}
