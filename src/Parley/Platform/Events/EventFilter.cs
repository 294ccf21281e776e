using Parley.Platform.People;
using Parley.Platform.Webhooks;

namespace Parley.Platform.Events;

/// <summary>Which events a reader of the log wants and may see: types (exact or families like <c>conversation.*</c>,
/// as webhook subscriptions name them) and brands, on top of what the caller may see at all. The cursor moves past
/// what a filter leaves out, so a filtered reader never stalls.</summary>
public sealed class EventFilter
{
    private readonly Viewer _viewer;
    private readonly IReadOnlyList<string> _types;
    private readonly IReadOnlySet<Guid> _brands;

    private EventFilter(Viewer viewer, IReadOnlyList<string> types, IReadOnlySet<Guid> brands) =>
        (_viewer, _types, _brands) = (viewer, types, brands);

    /// <param name="types">Repeated and/or comma-separated patterns; none means every type.</param>
    /// <param name="brandIds">Repeated brand ids; none means every brand the caller sees. With brands, installation-wide
    /// events (no brand) are left out.</param>
    public static EventFilter? TryCreate(Viewer viewer, string[]? types, Guid[]? brandIds, out string? problem)
    {
        var patterns = (types ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var invalid = patterns.FirstOrDefault(p => !EventTypePatterns.IsValid(p));
        problem = invalid is null ? null
            : $"'{invalid}' is not an event type or pattern: use an exact type (conversation.resolved), a family (conversation.*) or *.";
        return problem is null ? new EventFilter(viewer, patterns, (brandIds ?? []).ToHashSet()) : null;
    }

    public static EventFilter Everything(Viewer viewer) => new(viewer, [], new HashSet<Guid>());

    public bool Shows(Event e) => Shows(e.Type, e.BrandId);

    /// <summary>The same test on a row's type and brand, for readers that never make an <see cref="Event"/>.</summary>
    public bool Shows(string type, Guid? brandId) => Visible(brandId) && (_types.Count == 0 || EventTypePatterns.MatchesAny(_types, type))
        && (_brands.Count == 0 || (brandId is { } brand && _brands.Contains(brand)));

    /// <summary>An app limited to brands sees only their events; installation-wide events (apps, brands) are not theirs.</summary>
    private bool Visible(Guid? brandId) => _viewer.SeesEverything || (brandId is { } brand && _viewer.SeesBrand(brand));
}
