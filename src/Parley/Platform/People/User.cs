namespace Parley.Platform.People;

/// <summary>Auditor: sees what an admin sees (their brands' only, when in teams) and changes nothing; see ReadOnlyRole.</summary>
public enum UserRole { Agent, Lead, Admin, Auditor }

/// <summary>A person who signs in to the workspace: an agent, a team lead, an administrator or an auditor.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string Email { get; set; } = "";
    /// <summary>Lower-cased e-mail, unique: sign-in ignores case.</summary>
    public string NormalizedEmail { get; set; } = "";
    public string Name { get; set; } = "";
    public UserRole Role { get; set; } = UserRole.Agent;
    /// <summary>ASP.NET Core Identity's PasswordHasher format (PBKDF2 with a per-user salt).</summary>
    public string PasswordHash { get; set; } = "";
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DisabledAt { get; set; }
    public List<TeamMember> Teams { get; init; } = [];

    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil > now;

    /// <summary>Counts a failed sign-in; the fifth in a row locks the account for a while.</summary>
    public void SignInFailed(DateTimeOffset now)
    {
        FailedSignIns++;
        if (FailedSignIns >= MaxFailedSignIns)
        {
            LockedUntil = now + Lockout;
            FailedSignIns = 0;
        }
    }

    public void SignedIn()
    {
        FailedSignIns = 0;
        LockedUntil = null;
    }
}

/// <summary>A group of people who answer together: a brand's care team, billing, logistics.</summary>
public sealed class Team
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class TeamMember
{
    public Guid TeamId { get; init; }
    public Guid UserId { get; init; }
}
