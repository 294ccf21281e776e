using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Routing;

/// <param name="Status">What the person chose: online, away or offline.</param>
/// <param name="Presence">What routing goes by: online only when they chose online and a workspace page
/// of theirs is connected (or they reported in within the last two minutes).</param>
/// <param name="ActiveConversations">Open conversations they own that need them (new or acknowledged): what capacity counts.</param>
/// <param name="ResponderFor">Team queues they answer as a responder.</param>
public sealed record AgentDto(Guid UserId, string Name, string Role, string Status, string Presence, DateTimeOffset? LastSeenAt,
    int Capacity, IReadOnlyList<string> Skills, int ActiveConversations, IReadOnlyList<Guid> TeamIds, IReadOnlyList<Guid> ResponderFor);

/// <param name="Status">online, away or offline.</param>
public sealed record AgentStatusRequest(string? Status);

/// <param name="Capacity">How many active conversations automatic assignment gives them at most (0 to 100).</param>
public sealed record UpdateAgentRequest(string? Status, int? Capacity, IReadOnlyList<string>? Skills);

/// <summary>People as routing sees them: status, presence, capacity, skills and load.</summary>
public static class AgentEndpoints
{
    public static void MapAgentEndpoints(this IEndpointRouteBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Routing");
        agents.MapGet("/", ListAsync).WithSummary("People the caller works with, with status, presence, capacity, skills and active conversations.");
        agents.MapGet("/me", MeAsync).WithSummary("The signed-in person's routing status.");
        agents.MapPut("/me/status", SetMyStatusAsync)
            .WithSummary("Sets the caller's status: online (takes conversations while a workspace page is connected), away or offline. Setting online also counts as being present for two minutes, for apps that drive an agent without a page.");
        agents.MapPatch("/{id:guid}", UpdateAsync)
            .WithSummary("Changes a person's status, capacity or skills. Capacity and skills: leads of their brand and admins; status: also the person.");
    }

    private static async Task<Ok<List<AgentDto>>> ListAsync(ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var ids = await VisibleUserIds(db, viewer).ToArrayAsync(ct);
        return TypedResults.Ok(await ToDtosAsync(db, ids, clock.GetUtcNow(), ct));
    }

    private static async Task<Results<Ok<AgentDto>, ProblemHttpResult>> MeAsync(ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return NotAPerson();
        return TypedResults.Ok((await ToDtosAsync(db, [me], clock.GetUtcNow(), ct)).Single());
    }

    private static async Task<Results<Ok<AgentDto>, ProblemHttpResult, ValidationProblem>> SetMyStatusAsync(
        AgentStatusRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (viewer.UserId is not { } me) return NotAPerson();
        if (ParseStatus(request.Status) is not { } status)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["'status' is online, away or offline."] });
        await ChangeAsync(db, me, status, null, null, viewer.Name, clock.GetUtcNow(), ct);
        return TypedResults.Ok((await ToDtosAsync(db, [me], clock.GetUtcNow(), ct)).Single());
    }

    private static async Task<Results<Ok<AgentDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, UpdateAgentRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        if (!await VisibleUserIds(db, viewer).AnyAsync(u => u == id, ct)) return Problems.NotFound("person", id);
        var errors = new Dictionary<string, string[]>();
        AgentPresence? status = null;
        if (request.Status is not null && (status = ParseStatus(request.Status)) is null) errors["status"] = ["'status' is online, away or offline."];
        if (request.Capacity is < 0 or > 100) errors["capacity"] = ["'capacity' is between 0 and 100."];
        if (Skill.Problem(request.Skills) is { } skillProblem) errors["skills"] = [skillProblem];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var brands = await db.TeamMembers.Where(m => m.UserId == id).Join(db.Teams, m => m.TeamId, t => t.Id, (m, t) => t.BrandId)
            .Union(db.QueueResponders.Where(r => r.UserId == id).Join(db.Teams, r => r.TeamId, t => t.Id, (r, t) => t.BrandId))
            .ToListAsync(ct);
        var manages = viewer.IsAdmin || brands.Any(b => RoutingAccess.CanManage(viewer, b));
        var onlyOwnStatus = request.Capacity is null && request.Skills is null && viewer.UserId == id;
        if (!manages && !onlyOwnStatus) return RoutingAccess.LeadsOnly("a person's capacity, skills or status");
        await ChangeAsync(db, id, status, request.Capacity, request.Skills, viewer.Name, clock.GetUtcNow(), ct);
        return TypedResults.Ok((await ToDtosAsync(db, [id], clock.GetUtcNow(), ct)).Single());
    }

    private static async Task ChangeAsync(ParleyDb db, Guid userId, AgentPresence? status, int? capacity, IReadOnlyList<string>? skills,
        string by, DateTimeOffset now, CancellationToken ct)
    {
        await Assigner.EnsureProfilesAsync(db, [userId], ct);
        var profile = await db.AgentProfiles.FirstAsync(p => p.UserId == userId, ct);
        if (status is { } s)
        {
            profile.Status = s;
            profile.StatusChangedAt = now;
            // Saying "online" is a sign of life, so that an agent driven through the API is present at once.
            if (s == AgentPresence.Online) profile.LastSeenAt = now;
        }
        if (capacity is { } c) profile.Capacity = c;
        if (skills is not null) profile.Skills = Skill.Write(skills);
        db.Append("agent.changed", $"users/{userId}", null, new AgentChangedData(
            userId, StatusName(profile.Status), profile.Capacity, profile.SkillSet.Order(StringComparer.Ordinal).ToList(), by), now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>People who share a brand with the caller (through a team or a queue they answer); admins: everyone.</summary>
    private static IQueryable<Guid> VisibleUserIds(ParleyDb db, Viewer viewer)
    {
        if (viewer.SeesEverything) return db.Users.AsNoTracking().Select(u => u.Id);
        var brands = viewer.BrandIds.ToArray();
        var me = viewer.UserId;
        var teams = db.Teams.Where(t => brands.Contains(t.BrandId)).Select(t => t.Id);
        return db.Users.AsNoTracking().Where(u => u.Id == me
            || db.TeamMembers.Any(m => m.UserId == u.Id && teams.Contains(m.TeamId))
            || db.QueueResponders.Any(r => r.UserId == u.Id && teams.Contains(r.TeamId))).Select(u => u.Id);
    }

    public static async Task<List<AgentDto>> ToDtosAsync(ParleyDb db, Guid[] ids, DateTimeOffset now, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Include(u => u.Teams).Where(u => ids.Contains(u.Id)).OrderBy(u => u.Name).ToListAsync(ct);
        var profiles = await db.AgentProfiles.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
        var load = await CandidatePool.OpenLoadAsync(db, ids, ct);
        var responder = await db.QueueResponders.AsNoTracking().Where(r => ids.Contains(r.UserId)).ToListAsync(ct);
        return users.Select(u =>
        {
            var p = profiles.GetValueOrDefault(u.Id) ?? new AgentProfile { UserId = u.Id };
            return new AgentDto(u.Id, u.Name, Sessions.RoleName(u.Role), StatusName(p.Status), StatusName(p.EffectivePresence(now)), p.LastSeenAt,
                p.Capacity, [.. p.SkillSet.Order(StringComparer.Ordinal)], load.GetValueOrDefault(u.Id),
                u.Teams.Select(t => t.TeamId).ToList(), responder.Where(r => r.UserId == u.Id).Select(r => r.TeamId).ToList());
        }).ToList();
    }

    public static string StatusName(AgentPresence p) => p switch { AgentPresence.Online => "online", AgentPresence.Away => "away", _ => "offline" };

    private static AgentPresence? ParseStatus(string? s) => s switch { "online" => AgentPresence.Online, "away" => AgentPresence.Away, "offline" => AgentPresence.Offline, _ => null };

    private static ProblemHttpResult NotAPerson() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a person",
        detail: "This request was made with an API key; an agent's status belongs to a person signed in to the workspace.");
}
