namespace Parley.Promises;

/// <summary>What a brand promises for one kind of conversation (say, X public mentions at high priority).
/// Targets are amounts of counted time: time the <see cref="Calendar"/> is open, less pauses. A missing
/// target means that promise is not made and its clock is not applicable.</summary>
public sealed record ServiceLevelPolicy
{
    public required string Name { get; init; }

    /// <summary>From the start of each cycle (creation, or reopening) to the first reply.</summary>
    public TimeSpan? TimeToAcknowledge { get; init; }

    /// <summary>From a customer message that follows our reply to our next reply.</summary>
    public TimeSpan? TimeToNextResponse { get; init; }

    /// <summary>From the start of each cycle to its resolution.</summary>
    public TimeSpan? TimeToResolve { get; init; }

    public BusinessCalendar Calendar { get; init; } = BusinessCalendar.AroundTheClock;

    /// <summary>Whether the next-response and resolve clocks stop while we wait on the customer.</summary>
    public bool PausesWhileWaitingOnCustomer { get; init; } = true;

    /// <summary>Whether the next-response and resolve clocks stop while the conversation is snoozed. Off by
    /// default: a snooze is our choice to look later, and the customer is still waiting.</summary>
    public bool PausesWhileSnoozed { get; init; }

    /// <summary>How much counted time before a target each warning fires; one warning per lead time.</summary>
    public IReadOnlyList<TimeSpan> WarningLeadTimes { get; init; } = [];

    /// <summary>What is wrong with the policy, in words an administrator can act on; empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) problems.Add("A policy needs a name.");
        foreach (var (label, target) in new[] { ("acknowledge", TimeToAcknowledge), ("next response", TimeToNextResponse), ("resolve", TimeToResolve) })
        {
            if (target is { } t && t <= TimeSpan.Zero) problems.Add($"The time to {label} must be positive (it is {t}).");
        }
        if (WarningLeadTimes.Any(lead => lead <= TimeSpan.Zero)) problems.Add("Warning lead times must be positive.");
        if (WarningLeadTimes.Distinct().Count() != WarningLeadTimes.Count) problems.Add("Each warning lead time may appear only once.");
        return problems;
    }
}
