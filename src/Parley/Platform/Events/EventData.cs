using System.Text.Json;
using Parley.Promises;
using Parley.Routing;
using Parley.Templates;

namespace Parley.Platform.Events;

// The data of each event type the log carries, one record per shape. EventCatalogue maps each type name to one of
// these and publishes its JSON Schema; what is written is serialized from the same record, so the two cannot drift.
// Property names become camelCase in the log (JsonSerializerOptions.Web). Shapes shared with an endpoint's DTO
// (templates, service levels, message and conversation data) are catalogued by that type directly.

public sealed record ConversationCreatedData(Guid ConversationId, Guid ChannelId, Guid ContactId);
public sealed record ContactCreatedData(Guid ContactId, string Network, string? Handle);
public sealed record ContactFactsChangedData(Guid ContactId, decimal? Value, JsonElement? Facts, string By, EventActor Actor,
    string? ByKind = null, Guid? ByAppId = null);
/// <param name="ContactId">The surviving contact, which now holds the merged one's identities and conversations.</param>
/// <param name="MergedContactId">The contact that no longer exists on its own; reading it points to the survivor.</param>
public sealed record ContactMergedData(Guid ContactId, Guid MergedContactId, IReadOnlyList<Guid> MovedIdentityIds,
    IReadOnlyList<Guid> MovedConversationIds, string By, EventActor Actor);

public sealed record MessageRevealedData(Guid ConversationId, Guid MessageId, string By, EventActor Actor);
/// <param name="Approval">Set when a person approved an app's proposed reply (docs/adr/0017).</param>
public sealed record ReplyQueuedData(Guid ConversationId, Guid MessageId, string Visibility, string Text, string Author, EventActor Actor,
    string? AuthorKind = null, Guid? AuthorAppId = null, ReplyApproval? Approval = null);
public sealed record ReplyRetriedData(Guid ConversationId, Guid MessageId, string By, EventActor Actor);
public sealed record ReplySentData(Guid ConversationId, Guid MessageId, string? ExternalId);
public sealed record ReplyFailedData(Guid ConversationId, Guid MessageId, string? Error);
public sealed record NoteAddedData(Guid ConversationId, Guid NoteId, string Author, Guid? AuthorUserId, string Text,
    IReadOnlyList<Guid> Mentions, EventActor Actor, string? AuthorKind = null, Guid? AuthorAppId = null, Guid? InReplyToCommand = null);

public sealed record ConversationAssignedData(Guid ConversationId, Guid? TeamId, Guid? AssigneeId, Guid? PreviousAssigneeId,
    string By, string Reason, EventActor Actor);
public sealed record ConversationRoutedData(Guid ConversationId, Guid TeamId, Guid RuleId, string Rule, string? Language, int Priority,
    string By, EventActor Actor);
public sealed record ConversationEscalatedData(Guid ConversationId, Guid To, Guid? From, Guid RuleId, string Rule, string By, EventActor Actor);

public sealed record TriagePriorityChangedData(Guid ConversationId, int Priority, int PreviousPriority, int RankedPriority,
    IReadOnlyList<string> Reasons, string By, EventActor Actor);
public sealed record TriageBurstCompletedData(Guid ConversationId, int Priority, IReadOnlyList<string> Reasons,
    DateTimeOffset? BurstStartedAt, DateTimeOffset? ReadyAt);
public sealed record TriageSettingsChangedData(Guid BrandId, int Version, string By);

/// <param name="Clock">Which promise: acknowledge, respond or resolve.</param>
/// <param name="LeadTime">For a warning, how long before the due time it was given.</param>
public sealed record ServiceLevelClockData(Guid ConversationId, string Policy, string Clock, string Cycle, DateTimeOffset At,
    DateTimeOffset? DueAt, TimeSpan? LeadTime);
public sealed record DeletedByNameData(Guid Id, string Name, string? By);
public sealed record TimerFiredData(Guid ConversationId, Guid RuleId, string Rule, string Condition, string Action, TimeSpan After,
    DateTimeOffset DueAt, string Episode, string Outcome, EventActor Actor);
public sealed record TimerRuleChangedData(TimerRuleDto Rule, string By);
public sealed record RoutingRuleChangedData(RoutingRuleDto Rule, string By);
public sealed record QueueUpdatedData(Guid TeamId, bool AutoAssign, string Fairness, bool Sticky, IReadOnlyList<string> RequiredSkills,
    IReadOnlyList<Guid> ResponderIds, string By);
public sealed record AgentChangedData(Guid UserId, string Status, int Capacity, IReadOnlyList<string> Skills, string By);

public sealed record BrandCreatedData(Guid BrandId, string Name);
public sealed record ChannelCreatedData(Guid ChannelId, string Kind, string Name);
public sealed record UserChangedData(Guid UserId, string Name, string Email, string Role, IReadOnlyList<Guid> TeamIds, bool Disabled, string By);
public sealed record TeamCreatedData(Guid TeamId, string Name, string By);
public sealed record TeamUpdatedData(Guid TeamId, string Name, IReadOnlyList<Guid> MemberIds, string By);

public sealed record AppCreatedData(Guid AppId, string Name, IReadOnlyList<string> Scopes, IReadOnlyList<Guid> BrandIds, Guid KeyId);
public sealed record AppUpdatedData(Guid AppId, string Name, IReadOnlyList<string> Scopes, IReadOnlyList<Guid> BrandIds);
public sealed record AppDeletedData(Guid AppId, string Name);
public sealed record AppKeyCreatedData(Guid AppId, Guid KeyId, string Prefix, DateTimeOffset ReplacedUntil);
public sealed record AppKeyRevokedData(Guid AppId, Guid KeyId, string Prefix);

public sealed record WebhookCreatedData(Guid AppId, Guid SubscriptionId, string Url, IReadOnlyList<string> Events);
public sealed record WebhookUpdatedData(Guid AppId, Guid SubscriptionId, string Url, IReadOnlyList<string> Events, string Status);
public sealed record WebhookDeletedData(Guid AppId, Guid SubscriptionId);
public sealed record WebhookRedeliveryRequestedData(Guid AppId, Guid SubscriptionId, Guid DeliveryId, Guid EventId);
/// <param name="PreviousSecretExpiresAt">Until then deliveries carry a signature with the old secret too.</param>
public sealed record WebhookSecretRotatedData(Guid AppId, Guid SubscriptionId, DateTimeOffset? PreviousSecretExpiresAt);
public sealed record WebhookPausedData(Guid AppId, Guid SubscriptionId, string Url, string Reason);
