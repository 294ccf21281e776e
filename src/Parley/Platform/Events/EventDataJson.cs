using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Conversations;
using Parley.Ingest;
using Parley.Promises;
using Parley.Templates;

namespace Parley.Platform.Events;

/// <summary>Source-generated System.Text.Json metadata for every record <see cref="EventCatalogue"/> names, with the
/// log's settings (<see cref="JsonSerializerDefaults.Web"/>, as <see cref="JsonSerializerOptions.Web"/>): the event
/// data is written without reflection, byte for byte as before (EventDataJsonTests holds every catalogued type to
/// that; docs/adr/0033). A record missing here is written by reflection, as before: the test names it.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AgentChangedData))]
[JsonSerializable(typeof(AppCommandAddedData))]
[JsonSerializable(typeof(AppCommandRemovedData))]
[JsonSerializable(typeof(AppCreatedData))]
[JsonSerializable(typeof(AppDeletedData))]
[JsonSerializable(typeof(AppKeyCreatedData))]
[JsonSerializable(typeof(AppKeyRevokedData))]
[JsonSerializable(typeof(AppUpdatedData))]
[JsonSerializable(typeof(BrandAppRepliesChangedData))]
[JsonSerializable(typeof(BrandCreatedData))]
[JsonSerializable(typeof(ChannelCreatedData))]
[JsonSerializable(typeof(CommandInvokedData))]
[JsonSerializable(typeof(ContactCreatedData))]
[JsonSerializable(typeof(ContactFactsChangedData))]
[JsonSerializable(typeof(ContactMergedData))]
[JsonSerializable(typeof(ConversationAssignedData))]
[JsonSerializable(typeof(ConversationCreatedData))]
[JsonSerializable(typeof(ConversationEscalatedData))]
[JsonSerializable(typeof(ConversationEventData))]
[JsonSerializable(typeof(ConversationRoutedData))]
[JsonSerializable(typeof(ConversationTagsData))]
[JsonSerializable(typeof(DeletedByNameData))]
[JsonSerializable(typeof(KnowledgeArticleData))]
[JsonSerializable(typeof(KnowledgeDeletedData))]
[JsonSerializable(typeof(MessageEventData))]
[JsonSerializable(typeof(MessageRevealedData))]
[JsonSerializable(typeof(NoteAddedData))]
[JsonSerializable(typeof(QueueUpdatedData))]
[JsonSerializable(typeof(ReplyApprovedData))]
[JsonSerializable(typeof(ReplyFailedData))]
[JsonSerializable(typeof(ReplyProposedData))]
[JsonSerializable(typeof(ReplyQueuedData))]
[JsonSerializable(typeof(ReplyRejectedData))]
[JsonSerializable(typeof(ReplyRetriedData))]
[JsonSerializable(typeof(ReplySentData))]
[JsonSerializable(typeof(RoutingRuleChangedData))]
[JsonSerializable(typeof(ServiceLevelClockData))]
[JsonSerializable(typeof(ServiceLevelDto))]
[JsonSerializable(typeof(TeamCreatedData))]
[JsonSerializable(typeof(TeamUpdatedData))]
[JsonSerializable(typeof(TemplateDto))]
[JsonSerializable(typeof(TimerFiredData))]
[JsonSerializable(typeof(TimerRuleChangedData))]
[JsonSerializable(typeof(TriageBurstCompletedData))]
[JsonSerializable(typeof(TriagePriorityChangedData))]
[JsonSerializable(typeof(TriageSettingsChangedData))]
[JsonSerializable(typeof(UserChangedData))]
[JsonSerializable(typeof(WebhookCreatedData))]
[JsonSerializable(typeof(WebhookDeletedData))]
[JsonSerializable(typeof(WebhookPausedData))]
[JsonSerializable(typeof(WebhookRedeliveryRequestedData))]
[JsonSerializable(typeof(WebhookSecretRotatedData))]
[JsonSerializable(typeof(WebhookUpdatedData))]
internal sealed partial class EventDataJson : JsonSerializerContext;
