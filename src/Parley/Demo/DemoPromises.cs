using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Promises;
using Parley.Routing;

namespace Parley.Demo;

/// <summary>What the demo brand promises and how its work is handed out: a service-level policy, the
/// Care and Billing queues with routing rules, timer rules and a few saved replies. Created once; a
/// later start leaves whatever was changed through the workspace alone.</summary>
public static class DemoPromises
{
    public static async Task EnsureAsync(ParleyDb db, Guid brandId, DateTimeOffset now)
    {
        var teams = await db.Teams.Where(t => t.BrandId == brandId).ToDictionaryAsync(t => t.Name, t => t.Id);
        if (!await db.ServiceLevelPolicies.AnyAsync(p => p.BrandId == brandId))
        {
            db.ServiceLevelPolicies.Add(new ServiceLevelPolicyRecord
            {
                BrandId = brandId, Name = "Social, around the clock", CreatedAt = now,
                TimeToAcknowledge = TimeSpan.FromMinutes(30), TimeToNextResponse = TimeSpan.FromHours(2), TimeToResolve = TimeSpan.FromHours(24),
                WarningLeadTimes = JsonSerializer.Serialize(new[] { TimeSpan.FromMinutes(10) }),
            });
        }
        if (teams.TryGetValue("Care", out var care) && teams.TryGetValue("Billing", out var billing)
            && !await db.RoutingRules.AnyAsync(r => r.BrandId == brandId))
        {
            db.QueueSettings.Add(new QueueSettings { TeamId = care, AutoAssign = true, Fairness = Fairness.LeastBusy, Sticky = true, UpdatedAt = now });
            db.QueueSettings.Add(new QueueSettings { TeamId = billing, AutoAssign = true, Fairness = Fairness.RoundRobin, Sticky = false, UpdatedAt = now });
            db.RoutingRules.Add(new RoutingRuleRecord
            {
                BrandId = brandId, TeamId = billing, Name = "Money matters", Order = 10, CreatedAt = now,
                Keywords = JsonSerializer.Serialize(new[] { "refund", "refunds", "charge", "charged", "invoice", "bill", "billing", "payment", "fee" }),
            });
            db.RoutingRules.Add(new RoutingRuleRecord { BrandId = brandId, TeamId = care, Name = "Everything else", Order = 100, CreatedAt = now });
        }
        await db.SaveChangesAsync();
    }
}
