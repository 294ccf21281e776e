using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.People;

public sealed record TeamDto(Guid Id, Guid BrandId, string Name, IReadOnlyList<Guid> MemberIds, DateTimeOffset CreatedAt);

public sealed record CreateTeamRequest(Guid? BrandId, string? Name);

/// <param name="MemberIds">When given, the team's members become exactly these people.</param>
public sealed record UpdateTeamRequest(string? Name, IReadOnlyList<Guid>? MemberIds);

/// <summary>Teams of a brand: the queues conversations are routed to and the unit of what an agent sees.</summary>
public static class TeamEndpoints
{
    public static void MapTeamEndpoints(this IEndpointRouteBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("People");
        teams.MapGet("/", ListAsync).WithSummary("Teams of the brands the caller belongs to (admins: all).");
        teams.MapPost("/", CreateAsync).RequireAuthorization(Sessions.Policies.Admin).WithSummary("Adds a team to a brand.");
        teams.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(Sessions.Policies.Admin)
            .WithSummary("Renames a team or sets its members.");
    }

    private static async Task<Ok<List<TeamDto>>> ListAsync(ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var brands = viewer.BrandIds.ToArray();
        var query = db.Teams.AsNoTracking();
        if (!viewer.SeesEverything) query = query.Where(t => brands.Contains(t.BrandId));
        var teams = await query.OrderBy(t => t.Name).ToListAsync(ct);
        var ids = teams.Select(t => t.Id).ToArray();
        var members = await db.TeamMembers.AsNoTracking().Where(m => ids.Contains(m.TeamId)).ToListAsync(ct);
        return TypedResults.Ok(teams.Select(t => ToDto(t, members.Where(m => m.TeamId == t.Id).Select(m => m.UserId).ToList())).ToList());
    }

    private static async Task<Results<Created<TeamDto>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateTeamRequest request, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors["name"] = ["A team needs a name of 1 to 200 characters."];
        if (request.BrandId is not { } brandId) errors["brandId"] = ["'brandId' is required."];
        else if (!await db.Brands.AnyAsync(b => b.Id == brandId, ct)) errors["brandId"] = [$"No brand has the id {brandId}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await db.Teams.AnyAsync(t => t.BrandId == request.BrandId && t.Name == name, ct))
            return Problems.Conflict("Team exists", $"The brand already has a team named '{name}'.");

        var now = clock.GetUtcNow();
        var team = new Team { BrandId = request.BrandId!.Value, Name = name, CreatedAt = now };
        db.Teams.Add(team);
        db.Append("team.created", $"teams/{team.Id}", team.BrandId, new TeamCreatedData(team.Id, name, viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/teams/{team.Id}", ToDto(team, []));
    }

    private static async Task<Results<Ok<TeamDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, UpdateTeamRequest request, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (team is null) return Problems.NotFound("team", id);
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (name is { Length: 0 or > 200 }) errors["name"] = ["A team needs a name of 1 to 200 characters."];
        var memberIds = request.MemberIds?.Distinct().ToArray();
        if (memberIds is not null)
        {
            var known = await db.Users.Where(u => memberIds.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
            if (memberIds.Except(known).ToList() is { Count: > 0 } unknown) errors["memberIds"] = [$"No person has the id {string.Join(", ", unknown)}."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (name is not null && name != team.Name && await db.Teams.AnyAsync(t => t.BrandId == team.BrandId && t.Name == name && t.Id != id, ct))
            return Problems.Conflict("Team exists", $"The brand already has a team named '{name}'.");

        if (name is not null) team.Name = name;
        var members = await db.TeamMembers.Where(m => m.TeamId == id).ToListAsync(ct);
        if (memberIds is not null)
        {
            db.TeamMembers.RemoveRange(members.Where(m => !memberIds.Contains(m.UserId)));
            db.TeamMembers.AddRange(memberIds.Where(u => members.All(m => m.UserId != u)).Select(u => new TeamMember { TeamId = id, UserId = u }));
        }
        var now = clock.GetUtcNow();
        var current = memberIds?.ToList() ?? members.Select(m => m.UserId).ToList();
        db.Append("team.updated", $"teams/{team.Id}", team.BrandId, new TeamUpdatedData(team.Id, team.Name, current, viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(team, current));
    }

    private static TeamDto ToDto(Team t, IReadOnlyList<Guid> members) => new(t.Id, t.BrandId, t.Name, members, t.CreatedAt);
}
