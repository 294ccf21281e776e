using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Promises;

/// <summary>Every brand's service-level policies, read once per sweep pass and parsed once (calendars,
/// lead times), in the order they are tried.</summary>
public sealed class ClockPolicies
{
    private readonly Dictionary<Guid, List<(ServiceLevelPolicyRecord Record, ServiceLevelPolicy Policy)>> _byBrand;

    private ClockPolicies(Dictionary<Guid, List<(ServiceLevelPolicyRecord, ServiceLevelPolicy)>> byBrand) => _byBrand = byBrand;

    public bool Any => _byBrand.Count > 0;

    public bool Covers(Guid brandId) => _byBrand.ContainsKey(brandId);

    public static async Task<ClockPolicies> LoadAsync(ParleyDb db, CancellationToken ct)
    {
        var records = await db.ServiceLevelPolicies.AsNoTracking().ToListAsync(ct);
        return new(records.OrderBy(p => p.Order).ThenBy(p => p.CreatedAt).GroupBy(p => p.BrandId)
            .ToDictionary(g => g.Key, g => g.Select(r => (r, r.ToPolicy())).ToList()));
    }

    /// <summary>The first of the brand's policies that applies, as <see cref="ConversationClocks.FindPolicyAsync"/> picks it.</summary>
    public (ServiceLevelPolicyRecord Record, ServiceLevelPolicy Policy)? For(Guid brandId, string channelKind, string? firstVisibility)
    {
        if (!_byBrand.TryGetValue(brandId, out var list)) return null;
        foreach (var p in list)
        {
            if (p.Record.AppliesTo(channelKind, firstVisibility)) return p;
        }
        return null;
    }
}
