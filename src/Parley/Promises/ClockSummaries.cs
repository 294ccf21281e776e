using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Promises;

/// <summary>The clock a list shows for a conversation: the most pressing of its current clocks.</summary>
/// <param name="Clock">acknowledge, next_response or resolve.</param>
/// <param name="Urgency">breached (past due), warning (a warning threshold passed), running, paused, or met (every promise kept so far).</param>
/// <param name="DueAt">When time runs out (null while paused or met).</param>
/// <param name="TimeLeft">Negative once breached.</param>
public sealed record ClockSummaryDto(Guid ConversationId, string? Policy, string? Clock, string Urgency, DateTimeOffset? DueAt, TimeSpan? TimeLeft);

/// <summary>Clocks for many conversations at once (an inbox page), in a handful of queries rather than a
/// handful per conversation.</summary>
public static class ClockSummaries
{
    public const int MaxIds = 100;

    public static void MapClockSummaries(this IEndpointRouteBuilder api) =>
        api.MapGet("/clocks", Handle).WithTags("Service levels")
            .WithSummary("The most pressing service-level clock of each listed conversation (ids, comma-separated, at most 100): urgency, due time, time left.");

    /// <param name="ids">Comma-separated conversation ids.</param>
    private static async Task<Results<Ok<List<ClockSummaryDto>>, ValidationProblem>> Handle(string? ids, ParleyDb db, Viewer viewer, TimeProvider clock,
        CancellationToken ct)
    {
        var parsed = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Guid.TryParse(s, out var g) ? g : (Guid?)null).ToList();
        if (parsed.Count == 0 || parsed.Count > MaxIds || parsed.Any(g => g is null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ids"] = [$"'ids' is a comma-separated list of 1 to {MaxIds} conversation ids."] });
        var wanted = parsed.Select(g => g!.Value).Distinct().ToArray();
        var conversations = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => wanted.Contains(c.Id)).ToListAsync(ct);
        return TypedResults.Ok(await EvaluateAsync(db, conversations, clock.GetUtcNow(), ct));
    }

    public static async Task<List<ClockSummaryDto>> EvaluateAsync(ParleyDb db, IReadOnlyList<Conversation> conversations, DateTimeOffset now, CancellationToken ct)
    {
        var ids = conversations.Select(c => c.Id).ToArray();
        var brands = conversations.Select(c => c.BrandId).Distinct().ToArray();
        var policies = (await db.ServiceLevelPolicies.AsNoTracking().Where(p => brands.Contains(p.BrandId)).ToListAsync(ct))
            .OrderBy(p => p.Order).ThenBy(p => p.CreatedAt).GroupBy(p => p.BrandId).ToDictionary(g => g.Key, g => g.ToList());
        var channelIds = conversations.Select(c => c.ChannelId).Distinct().ToArray();
        var kinds = await db.Channels.AsNoTracking().Where(ch => channelIds.Contains(ch.Id)).ToDictionaryAsync(ch => ch.Id, ch => ch.Kind, ct);
        var messages = (await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ConversationId))
                .Select(m => new { m.ConversationId, m.Direction, m.Visibility, m.CreatedAt }).ToListAsync(ct))
            .GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => g.ToList());
        var subjects = ids.Select(id => $"conversations/{id}").ToArray();
        var changes = (await db.Events.AsNoTracking().Where(ConversationClocks.IsClockChange).Where(e => subjects.Contains(e.Subject))
                .Select(e => new { e.Subject, e.Type, e.OccurredAt }).ToListAsync(ct))
            .GroupBy(e => e.Subject).ToDictionary(g => g.Key, g => g.ToList());

        var result = new List<ClockSummaryDto>(conversations.Count);
        foreach (var c in conversations)
        {
            var own = messages.GetValueOrDefault(c.Id) ?? [];
            var first = own.Where(m => m.Direction == MessageDirection.Inbound).OrderBy(m => m.CreatedAt).FirstOrDefault();
            var visibility = first is null ? null : MessageDto.Lower(first.Visibility);
            var policy = policies.GetValueOrDefault(c.BrandId)?.FirstOrDefault(p => p.AppliesTo(kinds.GetValueOrDefault(c.ChannelId, ""), visibility));
            if (policy is null)
            {
                result.Add(new ClockSummaryDto(c.Id, null, null, "none", null, null));
                continue;
            }
            var timeline = ConversationClocks.BuildTimeline(c, own.Select(m => (m.Direction, m.CreatedAt)),
                (changes.GetValueOrDefault($"conversations/{c.Id}") ?? []).Select(e => (e.Type, e.OccurredAt)));
            result.Add(Summarize(c.Id, policy.Name, ServiceClocks.Evaluate(policy.ToPolicy(), timeline, now)));
        }
        return result;
    }

    /// <summary>Breached and still running first (the longest overdue), then the soonest due, then a paused one.</summary>
    public static ClockSummaryDto Summarize(Guid conversationId, string policy, ClockReport report)
    {
        var current = new[] { report.Acknowledge, report.NextResponse, report.Resolve }.Where(s => s.State != ClockState.NotApplicable).ToList();
        var overdue = current.Where(s => s.State == ClockState.Breached && s.StoppedAt is null).OrderBy(s => s.DueAt).FirstOrDefault();
        var running = current.Where(s => s.State == ClockState.Running).OrderBy(s => s.DueAt).FirstOrDefault();
        var paused = current.FirstOrDefault(s => s.State == ClockState.Paused);
        var pick = overdue ?? running ?? paused;
        if (pick is null)
            return new ClockSummaryDto(conversationId, policy, null, current.Any(s => s.State == ClockState.Breached) ? "breached" : "met", null, null);
        var urgency = pick == overdue ? "breached" : pick == paused ? "paused" : pick.WarnedAt is not null ? "warning" : "running";
        return new ClockSummaryDto(conversationId, policy, ClockNames.Of(pick.Clock), urgency, pick.DueAt, pick.TimeLeft);
    }
}
