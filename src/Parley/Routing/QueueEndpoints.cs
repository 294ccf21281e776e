using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Routing;

/// <param name="Waiting">Open conversations in the queue nobody owns that need an answer now.</param>
/// <param name="Open">Every open conversation in the queue.</param>
public sealed record QueueDto(Guid TeamId, Guid BrandId, string Name, bool AutoAssign, string Fairness, bool Sticky,
    IReadOnlyList<string> RequiredSkills, IReadOnlyList<Guid> MemberIds, IReadOnlyList<Guid> ResponderIds, int Waiting, int Open);

/// <param name="Fairness">roundRobin (next in turn) or leastBusy (fewest active conversations for their capacity).</param>
/// <param name="ResponderIds">When given, the queue's responders become exactly these people: anyone in the
/// organisation who answers this queue's domain, and (if in no team) receives only its conversations.</param>
public sealed record UpdateQueueRequest(bool? AutoAssign, string? Fairness, bool? Sticky, IReadOnlyList<string>? RequiredSkills,
    IReadOnlyList<Guid>? ResponderIds);

/// <summary>Each team has a queue: the conversations routed to the team. These endpoints show the queues
/// and set how each hands out its work.</summary>
public static class QueueEndpoints
{
    public static void MapQueueEndpoints(this IEndpointRouteBuilder api)
    {
        var queues = api.MapGroup("/queues").WithTags("Routing");
        queues.MapGet("/", ListAsync).WithSummary("The team queues of the caller's brands, with how they assign and how many conversations wait.");
        queues.MapGet("/{teamId:guid}", GetAsync).WithSummary("One team's queue.");
        queues.MapPut("/{teamId:guid}", UpdateAsync)
            .WithSummary("Sets how a queue assigns: automatically or not, round robin or least busy, sticky, required skills, responders. Leads and admins.");
    }

    private static async Task<Ok<List<QueueDto>>> ListAsync(ParleyDb db, Viewer viewer, Guid? brandId, CancellationToken ct)
    {
        var brands = viewer.BrandIds.ToArray();
        var teams = db.Teams.AsNoTracking();
        if (!viewer.SeesEverything) teams = teams.Where(t => brands.Contains(t.BrandId));
        if (brandId is { } b) teams = teams.Where(t => t.BrandId == b);
        return TypedResults.Ok(await ToDtosAsync(db, await teams.OrderBy(t => t.Name).ToListAsync(ct), ct));
    }

    private static async Task<Results<Ok<QueueDto>, ProblemHttpResult>> GetAsync(Guid teamId, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, ct);
        if (team is null || !viewer.SeesBrand(team.BrandId)) return Problems.NotFound("queue", teamId);
        return TypedResults.Ok((await ToDtosAsync(db, [team], ct))[0]);
    }

    private static async Task<Results<Ok<QueueDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid teamId, UpdateQueueRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == teamId, ct);
        if (team is null || !viewer.SeesBrand(team.BrandId)) return Problems.NotFound("queue", teamId);
        if (!RoutingAccess.CanManage(viewer, team.BrandId)) return RoutingAccess.LeadsOnly("queues");

        var errors = new Dictionary<string, string[]>();
        Fairness? fairness = null;
        if (request.Fairness is not null && (fairness = ParseFairness(request.Fairness)) is null)
            errors["fairness"] = ["'fairness' is roundRobin or leastBusy."];
        if (Skill.Problem(request.RequiredSkills) is { } skillProblem) errors["requiredSkills"] = [skillProblem];
        var responders = request.ResponderIds?.Distinct().ToArray();
        if (responders is { Length: > 200 }) errors["responderIds"] = ["At most 200 responders."];
        else if (responders is not null)
        {
            var known = await db.Users.Where(u => responders.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
            if (responders.Except(known).ToList() is { Count: > 0 } unknown) errors["responderIds"] = [$"No person has the id {string.Join(", ", unknown)}."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var settings = await db.QueueSettings.FirstOrDefaultAsync(q => q.TeamId == teamId, ct);
        if (settings is null) db.QueueSettings.Add(settings = new QueueSettings { TeamId = teamId });
        if (request.AutoAssign is { } auto) settings.AutoAssign = auto;
        if (fairness is { } f) settings.Fairness = f;
        if (request.Sticky is { } sticky) settings.Sticky = sticky;
        if (request.RequiredSkills is { } skills) settings.RequiredSkills = Skill.Write(skills);
        settings.UpdatedAt = now;
        if (responders is not null)
        {
            var current = await db.QueueResponders.Where(r => r.TeamId == teamId).ToListAsync(ct);
            db.QueueResponders.RemoveRange(current.Where(r => !responders.Contains(r.UserId)));
            db.QueueResponders.AddRange(responders.Where(u => current.All(r => r.UserId != u)).Select(u => new QueueResponder { TeamId = teamId, UserId = u }));
        }
        await db.SaveChangesAsync(ct);
        var dto = (await ToDtosAsync(db, [team], ct))[0];
        db.Append("queue.updated", $"teams/{teamId}", team.BrandId, new QueueUpdatedData(dto.TeamId, dto.AutoAssign, dto.Fairness, dto.Sticky, dto.RequiredSkills, dto.ResponderIds, viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(dto);
    }

    public static Fairness? ParseFairness(string value) => value switch
    {
        "roundRobin" or "round_robin" => Routing.Fairness.RoundRobin,
        "leastBusy" or "least_busy" => Routing.Fairness.LeastBusy,
        _ => null,
    };

    public static string Name(Fairness f) => f == Routing.Fairness.RoundRobin ? "roundRobin" : "leastBusy";

    private static async Task<List<QueueDto>> ToDtosAsync(ParleyDb db, List<Team> teams, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).ToArray();
        var settings = await db.QueueSettings.AsNoTracking().Where(q => ids.Contains(q.TeamId)).ToDictionaryAsync(q => q.TeamId, ct);
        var members = await db.TeamMembers.AsNoTracking().Where(m => ids.Contains(m.TeamId)).ToListAsync(ct);
        var responders = await db.QueueResponders.AsNoTracking().Where(r => ids.Contains(r.TeamId)).ToListAsync(ct);
        var open = await db.Conversations.AsNoTracking().Where(c => c.TeamId != null && ids.Contains(c.TeamId.Value) && c.Status == ConversationStatus.Open)
            .GroupBy(c => c.TeamId!.Value).Select(g => new
            {
                g.Key,
                Open = g.Count(),
                Waiting = g.Count(c => c.AssigneeId == null && c.State != ConversationState.Snoozed && c.State != ConversationState.WaitingOnCustomer),
            }).ToDictionaryAsync(x => x.Key, ct);
        return teams.Select(t =>
        {
            var s = settings.GetValueOrDefault(t.Id) ?? new QueueSettings { TeamId = t.Id };
            var counts = open.GetValueOrDefault(t.Id);
            return new QueueDto(t.Id, t.BrandId, t.Name, s.AutoAssign, Name(s.Fairness), s.Sticky, [.. s.Skills.Order(StringComparer.Ordinal)],
                members.Where(m => m.TeamId == t.Id).Select(m => m.UserId).ToList(),
                responders.Where(r => r.TeamId == t.Id).Select(r => r.UserId).ToList(),
                counts?.Waiting ?? 0, counts?.Open ?? 0);
        }).ToList();
    }
}
