namespace Parley.Routing;

/// <summary>What routing knows about a person: the status they set, when a workspace page of theirs was
/// last connected, how many conversations they can hold and what they can answer. Also the row that
/// serialises assignments to one person (see <see cref="Assigner"/>).</summary>
public sealed class AgentProfile
{
    public const int DefaultCapacity = 5;
    /// <summary>A person counts as present while a page of theirs reported in within this window
    /// (pages report every 30 seconds while connected; see <see cref="AgentConnections"/>).</summary>
    public static readonly TimeSpan SeenWindow = TimeSpan.FromMinutes(2);

    public Guid UserId { get; init; }
    /// <summary>What the person chose: online (take conversations), away or offline.</summary>
    public AgentPresence Status { get; set; } = AgentPresence.Online;
    public DateTimeOffset? StatusChangedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public int Capacity { get; set; } = DefaultCapacity;
    /// <summary>JSON array of skills ("es", "billing").</summary>
    public string Skills { get; set; } = "[]";
    public DateTimeOffset? LastAssignedAt { get; set; }

    public IReadOnlySet<string> SkillSet => Skill.Read(Skills);

    /// <summary>Online only when they said so and are connected: closing the workspace stops assignments
    /// without anyone having to remember to set "away".</summary>
    public AgentPresence EffectivePresence(DateTimeOffset now) => Status switch
    {
        AgentPresence.Online when LastSeenAt is { } seen && now - seen <= SeenWindow => AgentPresence.Online,
        AgentPresence.Away => AgentPresence.Away,
        _ => AgentPresence.Offline,
    };
}
