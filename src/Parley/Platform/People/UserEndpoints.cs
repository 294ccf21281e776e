using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.People;

/// <param name="Mention">What colleagues type after @ to mention this person in a note: the part of the e-mail before the @.</param>
public sealed record UserDto(Guid Id, string Name, string Email, string Mention, string Role, IReadOnlyList<Guid> TeamIds,
    bool Disabled, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <param name="GeneratedPassword">Shown once, when Parley chose the password because none was given.</param>
public sealed record UserCreated(UserDto User, string? GeneratedPassword);

/// <param name="Role">agent, lead or admin (default agent).</param>
/// <param name="Password">At least 10 characters; leave out to have one generated and returned once.</param>
public sealed record CreateUserRequest(string? Name, string? Email, string? Role, string? Password, IReadOnlyList<Guid>? TeamIds);

/// <summary>Only the fields given change. <paramref name="Unlock"/> clears a lockout after failed sign-ins.</summary>
public sealed record UpdateUserRequest(string? Name, string? Email, string? Role, string? Password, IReadOnlyList<Guid>? TeamIds,
    bool? Disabled, bool? Unlock);

/// <summary>People who sign in to the workspace. Everyone signed in can list the colleagues of their
/// brands (to assign and mention them); only admins create and change people.</summary>
public static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("People");
        users.MapGet("/", ListAsync).WithSummary("People the caller works with (admins: everyone).");
        users.MapGet("/me", MeAsync).WithSummary("The signed-in person, with their teams.");
        users.MapGet("/{id:guid}", GetAsync).WithSummary("One person.");
        users.MapPost("/", CreateAsync).RequireAuthorization(Sessions.Policies.Admin)
            .WithSummary("Adds a person. Without a password one is generated and returned once.");
        users.MapPatch("/{id:guid}", UpdateAsync).RequireAuthorization(Sessions.Policies.Admin)
            .WithSummary("Changes a person: name, e-mail, role, teams, password, disabled, or clears a lockout.");
    }

    private static IQueryable<User> VisibleTo(ParleyDb db, Viewer viewer)
    {
        if (viewer.SeesEverything) return db.Users.AsNoTracking();
        var brands = viewer.BrandIds.ToArray();
        var me = viewer.UserId;
        return db.Users.AsNoTracking().Where(u => u.Id == me
            || db.TeamMembers.Any(m => m.UserId == u.Id && db.Teams.Any(t => t.Id == m.TeamId && brands.Contains(t.BrandId))));
    }

    private static async Task<Ok<List<UserDto>>> ListAsync(ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var users = await VisibleTo(db, viewer).Include(u => u.Teams).OrderBy(u => u.Name).ToListAsync(ct);
        return TypedResults.Ok(users.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> MeAsync(ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (viewer.UserId is not { } id)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a person",
                detail: "This request was made with an API key; /users/me describes people signed in to the workspace.");
        return await GetAsync(id, db, viewer, ct);
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var user = await VisibleTo(db, viewer).Include(u => u.Teams).Where(u => u.Id == id).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
        return user is null ? Problems.NotFound("person", id) : TypedResults.Ok(ToDto(user));
    }

    private static async Task<Results<Created<UserCreated>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        CreateUserRequest request, ParleyDb db, SignIn signIn, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) errors["name"] = ["A person needs a name of 1 to 200 characters."];
        var email = request.Email?.Trim() ?? "";
        if (EmailProblem(email) is { } emailProblem) errors["email"] = [emailProblem];
        var role = request.Role is null ? UserRole.Agent : ParseRole(request.Role);
        if (role is null) errors["role"] = ["'role' is agent, lead, admin or auditor."];
        var generated = request.Password is null ? GeneratePassword() : null;
        if (SignIn.PasswordProblem(request.Password ?? generated) is { } passwordProblem) errors["password"] = [passwordProblem];
        var teamIds = (request.TeamIds ?? []).Distinct().ToList();
        if (await UnknownTeamsAsync(db, teamIds, ct) is { } teamProblem) errors["teamIds"] = [teamProblem];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var normalized = SignIn.Normalize(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
            return Problems.Conflict("E-mail already in use", $"Someone already signs in with {email}; change their account instead.");

        var now = clock.GetUtcNow();
        var user = new User { Name = name, Email = email, NormalizedEmail = normalized, Role = role!.Value, CreatedAt = now };
        signIn.SetPassword(user, request.Password ?? generated!);
        user.Teams.AddRange(teamIds.Select(t => new TeamMember { TeamId = t, UserId = user.Id }));
        db.Users.Add(user);
        db.Append("user.created", $"users/{user.Id}", null, EventData(user, viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", new UserCreated(ToDto(user), generated));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        Guid id, UpdateUserRequest request, ParleyDb db, SignIn signIn, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var user = await db.Users.Include(u => u.Teams).Where(u => u.Id == id).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
        if (user is null) return Problems.NotFound("person", id);

        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (name is { Length: 0 or > 200 }) errors["name"] = ["A person needs a name of 1 to 200 characters."];
        var email = request.Email?.Trim();
        if (email is not null && EmailProblem(email) is { } emailProblem) errors["email"] = [emailProblem];
        UserRole? role = null;
        if (request.Role is not null && (role = ParseRole(request.Role)) is null) errors["role"] = ["'role' is agent, lead, admin or auditor."];
        if (request.Password is not null && SignIn.PasswordProblem(request.Password) is { } passwordProblem) errors["password"] = [passwordProblem];
        var teamIds = request.TeamIds?.Distinct().ToList();
        if (teamIds is not null && await UnknownTeamsAsync(db, teamIds, ct) is { } teamProblem) errors["teamIds"] = [teamProblem];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (email is not null && SignIn.Normalize(email) != user.NormalizedEmail)
        {
            var normalized = SignIn.Normalize(email);
            if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized && u.Id != id, ct))
                return Problems.Conflict("E-mail already in use", $"Someone else already signs in with {email}.");
            user.Email = email;
            user.NormalizedEmail = normalized;
        }
        var losesAdmin = user.Role == UserRole.Admin && user.DisabledAt is null
            && ((role is { } r && r != UserRole.Admin) || request.Disabled == true);
        if (losesAdmin && !await db.Users.AnyAsync(u => u.Id != id && u.Role == UserRole.Admin && u.DisabledAt == null, ct))
            return Problems.Conflict("Last admin", "This is the only active admin; make someone else an admin first, or nobody could manage people.");

        var now = clock.GetUtcNow();
        if (name is not null) user.Name = name;
        if (role is { } newRole) user.Role = newRole;
        if (request.Password is not null)
        {
            signIn.SetPassword(user, request.Password);
            user.SignedIn(); // a new password clears a lockout
        }
        if (request.Unlock == true) user.SignedIn();
        if (request.Disabled is { } disabled) user.DisabledAt = disabled ? user.DisabledAt ?? now : null;
        if (teamIds is not null)
        {
            user.Teams.RemoveAll(m => !teamIds.Contains(m.TeamId));
            user.Teams.AddRange(teamIds.Where(t => user.Teams.All(m => m.TeamId != t)).Select(t => new TeamMember { TeamId = t, UserId = user.Id }));
        }
        db.Append("user.updated", $"users/{user.Id}", null, EventData(user, viewer.Name), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(user));
    }

    public static UserDto ToDto(User u) => new(u.Id, u.Name, u.Email, MentionOf(u.Email), Sessions.RoleName(u.Role),
        u.Teams.Select(t => t.TeamId).ToList(), u.DisabledAt is not null, u.LockedUntil, u.CreatedAt);

    /// <summary>The name a person is @mentioned by: the part of their e-mail before the @, lower-cased.</summary>
    public static string MentionOf(string email) => (email.Split('@')[0]).ToLowerInvariant();

    private static UserChangedData EventData(User u, string by) => new(
        u.Id, u.Name, u.Email, Sessions.RoleName(u.Role), u.Teams.Select(t => t.TeamId).ToList(), u.DisabledAt is not null, by);

    private static UserRole? ParseRole(string role) => role.Trim().ToLowerInvariant() switch
    {
        "agent" => UserRole.Agent,
        "lead" => UserRole.Lead,
        "admin" => UserRole.Admin,
        "auditor" => UserRole.Auditor,
        _ => null,
    };

    private static string? EmailProblem(string email) =>
        email.Length is 0 or > 320 || email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@') || email.Any(char.IsWhiteSpace)
            ? "An e-mail address like name@example.com is required." : null;

    private static async Task<string?> UnknownTeamsAsync(ParleyDb db, List<Guid> teamIds, CancellationToken ct)
    {
        if (teamIds.Count == 0) return null;
        var ids = teamIds.ToArray();
        var known = await db.Teams.Where(t => ids.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
        var unknown = teamIds.Except(known).ToList();
        return unknown.Count == 0 ? null : $"No team has the id {string.Join(", ", unknown)}.";
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y').TrimEnd('=');
}
