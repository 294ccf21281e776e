using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Promises;

/// <summary>What a timer rule does, inside the transaction that records its firing, so the action and
/// its <c>timer.fired</c> commit together or not at all. Preparation that may write (routing profiles)
/// happens before the transaction.</summary>
public sealed class TimerActions(Assigner assigner, TimeProvider clock)
{
    /// <summary>Who the action will give the conversation to, decided before the transaction.</summary>
    public sealed record Plan(Guid? Target, string Reason);

    public async Task<Plan> PrepareAsync(ParleyDb db, Conversation c, TimerRule rule, CancellationToken ct)
    {
        switch (rule.Action)
        {
            case TimerAction.Reassign:
            {
                if (c.TeamId is not { } team) return new Plan(null, "It is in no team's queue, so there is nobody to reassign it to.");
                var settings = await db.QueueSettings.AsNoTracking().FirstOrDefaultAsync(q => q.TeamId == team, ct) ?? new QueueSettings { TeamId = team };
                var exclude = c.AssigneeId is { } owner ? new HashSet<Guid> { owner } : null;
                var pool = await CandidatePool.LoadAsync(db, team, clock.GetUtcNow(), ct, exclude);
                var decision = ChooseAssignee.For(new AssignmentRequest(settings.Skills, null), pool.Candidates, new AssignmentRules(settings.Fairness, Sticky: false));
                return new Plan(decision.UserId, decision.Reason);
            }
            case TimerAction.Escalate:
            {
                var lead = rule.EscalateToUserId ?? await LeadOfAsync(db, c, ct);
                if (lead is { } l) await Assigner.EnsureProfilesAsync(db, [l], ct);
                return new Plan(lead, lead is null ? "The brand has no lead to escalate to." : "Escalated to a lead.");
            }
            default:
                return new Plan(null, "");
        }
    }

    /// <returns>What happened, in words, for the event log.</returns>
    public async Task<string> ActAsync(ParleyDb db, Conversation c, TimerRule rule, Plan plan, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var by = $"timer rule '{rule.Name}'";
        var actor = EventActor.Automated(by, rule.Id);
        switch (rule.Action)
        {
            case TimerAction.Reassign:
            {
                if (plan.Target is not { } target) return $"Not reassigned: {plan.Reason}";
                var outcome = await assigner.TryAssignAsync(db, new AssignmentChange(c.Id, target, c.AssigneeId, CheckCapacity: true, by,
                    $"Reassigned after {Describe(rule)}. {plan.Reason}", Notify: true) { Actor = actor }, ct);
                return outcome == AssignOutcome.Assigned ? "Reassigned." : $"Not reassigned: {Describe(outcome)}";
            }
            case TimerAction.Escalate:
            {
                if (plan.Target is not { } lead) return $"Not escalated: {plan.Reason}";
                if (c.AssigneeId != lead)
                {
                    var outcome = await assigner.TryAssignAsync(db, new AssignmentChange(c.Id, lead, c.AssigneeId, CheckCapacity: false, by,
                        $"Escalated after {Describe(rule)}.", Notify: false) { Actor = actor }, ct);
                    if (outcome != AssignOutcome.Assigned) return $"Not escalated: {Describe(outcome)}";
                }
                db.Notifications.Add(new Notification
                {
                    UserId = lead, Kind = "escalation", ConversationId = c.Id, CreatedAt = now,
                    Text = $"Escalated to you ({Describe(rule)}): {c.Preview}",
                });
                db.Append("conversation.escalated", $"conversations/{c.Id}", c.BrandId,
                    new ConversationEscalatedData(c.Id, lead, c.AssigneeId, rule.Id, rule.Name, by, actor), now);
                return "Escalated.";
            }
            case TimerAction.AskIfResolved:
            {
                var kind = await db.Channels.Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).FirstAsync(ct);
                var last = await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Inbound)
                    .OrderByDescending(m => m.CreatedAt).Select(m => (MessageVisibility?)m.Visibility).FirstOrDefaultAsync(ct) ?? MessageVisibility.Public;
                var target = await ReplyTarget.FindAsync(db, c, kind, last, ct);
                if (target.Problem is { } problem) return $"Not asked: {problem}";
                var text = await TimerMessage.RenderAsync(db, c, rule.Message ?? "", ct);
                var message = Message.Reply(c.Id, c.ChannelId, text, last, by, target.InReplyTo, target.Recipient, now);
                db.Messages.Add(message);
                c.Record(message);
                db.Append("reply.queued", $"conversations/{c.Id}", c.BrandId,
                    new ReplyQueuedData(c.Id, message.Id, MessageDto.Lower(last), text, by, actor), now);
                foreach (var type in c.BrandReplied(now).Concat(c.WaitOnCustomer(now)))
                    db.Append(type, $"conversations/{c.Id}", c.BrandId, ConversationEventData.From(c, actor), now);
                return "Asked whether it is resolved.";
            }
            case TimerAction.Close:
            {
                foreach (var type in c.Resolve(now))
                    db.Append(type, $"conversations/{c.Id}", c.BrandId, ConversationEventData.From(c, actor), now);
                return "Closed.";
            }
            default:
                return "Nothing to do.";
        }
    }

    /// <summary>A lead to escalate to: of the conversation's team first, else of any team of its brand; the least loaded.</summary>
    private static async Task<Guid?> LeadOfAsync(ParleyDb db, Conversation c, CancellationToken ct)
    {
        var leads = await db.TeamMembers.AsNoTracking()
            .Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => new { m.UserId, m.TeamId, t.BrandId })
            .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => new { x.UserId, x.TeamId, x.BrandId, u.Role, u.DisabledAt })
            .Where(x => x.BrandId == c.BrandId && x.Role == UserRole.Lead && x.DisabledAt == null)
            .ToListAsync(ct);
        if (leads.Count == 0) return null;
        var ids = leads.Select(l => l.UserId).Distinct().ToArray();
        var load = await CandidatePool.OpenLoadAsync(db, ids, ct);
        return leads.OrderBy(l => l.TeamId == c.TeamId ? 0 : 1).ThenBy(l => load.GetValueOrDefault(l.UserId)).ThenBy(l => l.UserId)
            .Select(l => (Guid?)l.UserId).First();
    }

    public static string Describe(TimerRule rule) => rule.Condition switch
    {
        TimerCondition.NotAcknowledged => $"no acknowledgement within {Duration(rule.After)}",
        TimerCondition.AwaitingReply => $"the customer waiting {Duration(rule.After)} for an answer",
        _ => $"the customer silent for {Duration(rule.After)}",
    };

    private static string Describe(AssignOutcome outcome) => outcome switch
    {
        AssignOutcome.Taken => "its owner changed meanwhile.",
        AssignOutcome.AtCapacity => "the person chosen is at capacity.",
        _ => "it is resolved.",
    };

    public static string Duration(TimeSpan t) =>
        t.TotalDays >= 1 && t.TotalDays == Math.Floor(t.TotalDays) ? $"{t.TotalDays:0} day{(t.TotalDays == 1 ? "" : "s")}"
        : t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0} hour{(t.TotalHours == 1 ? "" : "s")}"
        : $"{Math.Round(t.TotalMinutes):0} minute{(Math.Round(t.TotalMinutes) == 1 ? "" : "s")}";
}

/// <summary>Fills a timer rule's message with the template variables; one without a value is left out.</summary>
public static class TimerMessage
{
    public static async Task<string> RenderAsync(ParleyDb db, Conversation c, string text, CancellationToken ct)
    {
        var agent = c.AssigneeId is { } owner ? await db.Users.AsNoTracking().Where(u => u.Id == owner).Select(u => u.Name).FirstOrDefaultAsync(ct) : null;
        var values = await Templates.TemplateContext.ForAsync(db, c, agent, ct);
        return Templates.TemplateVariables.Render(text, values, dropMissing: true).Text;
    }
}
