using System.Text.Json;

namespace Parley.Promises;

/// <summary>A brand's stored service-level policy and when it applies. <see cref="ToPolicy"/> turns it
/// into the pure <see cref="ServiceLevelPolicy"/> the clocks evaluate.</summary>
public sealed class ServiceLevelPolicyRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public string Name { get; set; } = "";
    /// <summary>Policies are tried in ascending order; the first that matches a conversation applies.</summary>
    public int Order { get; set; }
    /// <summary>"x", "meta", ... or null for any channel.</summary>
    public string? ChannelKind { get; set; }
    /// <summary>"public" or "private" (of the customer's first message), or null for either.</summary>
    public string? Visibility { get; set; }
    public TimeSpan? TimeToAcknowledge { get; set; }
    public TimeSpan? TimeToNextResponse { get; set; }
    public TimeSpan? TimeToResolve { get; set; }
    /// <summary>IANA time zone of the business hours; null means around the clock.</summary>
    public string? TimeZoneId { get; set; }
    /// <summary>JSON array of {day, opens, closes}.</summary>
    public string Week { get; set; } = "[]";
    /// <summary>JSON array of local dates ("2026-12-25").</summary>
    public string Holidays { get; set; } = "[]";
    public bool PausesWhileWaitingOnCustomer { get; set; } = true;
    public bool PausesWhileSnoozed { get; set; }
    /// <summary>JSON array of lead times ("00:10:00").</summary>
    public string WarningLeadTimes { get; set; } = "[]";
    public DateTimeOffset CreatedAt { get; init; }

    public bool AppliesTo(string channelKind, string? firstVisibility) =>
        (ChannelKind is null || ChannelKind == channelKind) && (Visibility is null || Visibility == firstVisibility);

    public ServiceLevelPolicy ToPolicy() => new()
    {
        Name = Name,
        TimeToAcknowledge = TimeToAcknowledge,
        TimeToNextResponse = TimeToNextResponse,
        TimeToResolve = TimeToResolve,
        Calendar = TimeZoneId is null
            ? BusinessCalendar.AroundTheClock
            : BusinessCalendar.Create(TimeZoneId, ReadWeek(Week), ReadHolidays(Holidays)),
        PausesWhileWaitingOnCustomer = PausesWhileWaitingOnCustomer,
        PausesWhileSnoozed = PausesWhileSnoozed,
        WarningLeadTimes = JsonSerializer.Deserialize<List<TimeSpan>>(WarningLeadTimes) ?? [],
    };

    public static List<WeeklyOpening> ReadWeek(string json) => JsonSerializer.Deserialize<List<WeeklyOpening>>(json, JsonSerializerOptions.Web) ?? [];

    public static List<DateOnly> ReadHolidays(string json) => JsonSerializer.Deserialize<List<DateOnly>>(json) ?? [];
}

/// <summary>A warning or breach already announced for a conversation. The key is unique per
/// conversation, so a sweep that runs twice (or on two nodes) cannot announce it again.</summary>
public sealed class FiredClockEvent
{
    public Guid ConversationId { get; init; }
    public string Key { get; init; } = "";
    public DateTimeOffset FiredAt { get; init; }
}
