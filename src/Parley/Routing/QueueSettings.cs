using System.Text.Json;

namespace Parley.Routing;

/// <summary>How a team's queue hands out its conversations. Every team has a queue; a team without
/// settings is a queue people pick from by hand.</summary>
public sealed class QueueSettings
{
    public Guid TeamId { get; init; }
    /// <summary>Give waiting conversations to people automatically (otherwise they wait to be taken).</summary>
    public bool AutoAssign { get; set; }
    public Fairness Fairness { get; set; } = Fairness.LeastBusy;
    /// <summary>Prefer the person who last helped the customer, when they are online with room.</summary>
    public bool Sticky { get; set; } = true;
    /// <summary>JSON array of skills everyone who takes from this queue must have ("es", "billing").</summary>
    public string RequiredSkills { get; set; } = "[]";
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlySet<string> Skills => Skill.Read(RequiredSkills);
}

/// <summary>Someone outside the team (or in it) who answers the queue's domain, billing say: they are
/// offered this queue's conversations, and a responder in no team receives only those.</summary>
public sealed class QueueResponder
{
    public Guid TeamId { get; init; }
    public Guid UserId { get; init; }
}

/// <summary>When a person last got a conversation from a queue: round robin is per queue.</summary>
public sealed class QueueAssignee
{
    public Guid TeamId { get; init; }
    public Guid UserId { get; init; }
    public DateTimeOffset LastAssignedAt { get; set; }
    public int Assigned { get; set; }
}

public static class Skill
{
    /// <summary>Skills compare without case and surrounding spaces: "Billing" and "billing " are one skill.</summary>
    public static string Normalize(string skill) => skill.Trim().ToLowerInvariant();

    public static IReadOnlySet<string> Read(string json) =>
        (JsonSerializer.Deserialize<List<string>>(json) ?? []).Select(Normalize).ToHashSet(StringComparer.Ordinal);

    public static string Write(IEnumerable<string> skills) =>
        JsonSerializer.Serialize(skills.Select(Normalize).Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList());

    /// <returns>A reason when a list of skills cannot be stored.</returns>
    public static string? Problem(IReadOnlyList<string>? skills) =>
        skills is null ? null
        : skills.Count > 50 ? "At most 50 skills."
        : skills.Any(s => string.IsNullOrWhiteSpace(s) || s.Trim().Length > 40) ? "Each skill is 1 to 40 characters." : null;
}
