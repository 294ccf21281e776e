using System.Text.Json;

namespace Parley.Routing;

/// <summary>A stored routing rule of a brand: conditions on the conversation's first post, and the team
/// whose queue takes it. <see cref="ToRule"/> gives the pure form <see cref="RouteToQueue"/> evaluates.</summary>
public sealed class RoutingRuleRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public Guid TeamId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Rules are tried in ascending order; the first that matches decides.</summary>
    public int Order { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>"x", "meta", or null for any channel.</summary>
    public string? ChannelKind { get; set; }
    /// <summary>Two-letter language code ("es"), or null for any language.</summary>
    public string? Language { get; set; }
    /// <summary>JSON array: any one of these whole words in the post matches; empty for no keyword condition.</summary>
    public string Keywords { get; set; } = "[]";
    /// <summary>Only posts with at least this priority (0-100).</summary>
    public int? MinPriority { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<string> KeywordList => JsonSerializer.Deserialize<List<string>>(Keywords) ?? [];

    public RoutingRule ToRule() => new(Order, TeamId, BrandId, ChannelKind, Language, KeywordList, MinPriority) { Id = Id, Name = Name };
}
