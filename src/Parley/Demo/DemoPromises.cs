using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Promises;
using Parley.Routing;
using Parley.Templates;

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
        if (!await db.TimerRules.AnyAsync(r => r.BrandId == brandId))
        {
            db.TimerRules.AddRange(
                new TimerRule
                {
                    BrandId = brandId, Name = "Escalate what nobody acknowledged", Condition = TimerCondition.NotAcknowledged,
                    After = TimeSpan.FromMinutes(45), Action = TimerAction.Escalate, CreatedAt = now, UpdatedAt = now,
                },
                new TimerRule
                {
                    BrandId = brandId, Name = "Check in after three quiet days", Condition = TimerCondition.CustomerSilent,
                    After = TimeSpan.FromDays(3), Action = TimerAction.AskIfResolved, CreatedAt = now, UpdatedAt = now,
                    Message = "Hi {customer.firstName}, just checking in: is there anything else we can do, or is this sorted?",
                },
                new TimerRule
                {
                    BrandId = brandId, Name = "Close after a quiet week", Condition = TimerCondition.CustomerSilent,
                    After = TimeSpan.FromDays(7), Action = TimerAction.Close, CreatedAt = now, UpdatedAt = now,
                });
        }
        if (!await db.Templates.AnyAsync(t => t.BrandId == brandId))
        {
            ReplyTemplate Saved(string name, string text, Guid? team = null) =>
                new() { BrandId = brandId, TeamId = team, Name = name, Text = text, CreatedAt = now, UpdatedAt = now, UpdatedBy = "demo" };
            db.Templates.AddRange(
                Saved("Greeting", "Hi {customer.firstName}, {agent.firstName} from {brand.name} here. Sorry to hear that – let me look into it."),
                Saved("Move to DM", "Hi {customer.firstName}, could you send us a DM with your booking reference? We'll sort it out there."),
                Saved("Order update", "Thanks for waiting, {customer.firstName}. Order {conversation.orderNumber} is on its way; you'll get tracking by e-mail today."));
            if (teams.TryGetValue("Care", out var careTeam))
                db.Templates.Add(Saved("Delayed bag", "So sorry, {customer.firstName}. Your bag is traced and a courier brings it to you within 24 hours.", careTeam));
            if (teams.TryGetValue("Billing", out var billingTeam))
                db.Templates.Add(Saved("Refund issued", "Hi {customer.firstName}, the refund is issued and reaches your account within 5 working days.", billingTeam));
        }
        await db.SaveChangesAsync();
    }
}
