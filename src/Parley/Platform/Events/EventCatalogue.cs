using Parley.Conversations;
using Parley.Ingest;
using Parley.Promises;
using Parley.Templates;

namespace Parley.Platform.Events;

/// <summary>One event type of the public contract: its name, the version of its data's schema, what it means and
/// the record its data is serialized from.</summary>
public sealed record EventType(string Name, int Version, string Description, Type DataType);

/// <summary>Every event type Parley writes, in one place (docs/adr/0016). <see cref="EventLog.Append{TData}"/> refuses a
/// type that is not here or data of another shape, so what is published cannot drift from what is written.
/// Change a type's data compatibly (add properties) at the same version; anything else is a new version.</summary>
public static class EventCatalogue
{
    public static IReadOnlyList<EventType> All { get; } =
    [
        Of<ConversationCreatedData>("conversation.created", "A customer's first message opened a new conversation."),
        Of<ConversationEventData>("conversation.acknowledged", "The brand first answered (or a person acknowledged) the conversation."),
        Of<ConversationEventData>("conversation.waiting_on_customer", "The brand asked the customer something and waits for them."),
        Of<ConversationEventData>("conversation.customer_replied", "The customer answered while the brand waited on them."),
        Of<ConversationEventData>("conversation.snoozed", "Put aside until a time; it wakes by itself."),
        Of<ConversationEventData>("conversation.woke", "A snoozed conversation came back (its time came or the customer wrote)."),
        Of<ConversationEventData>("conversation.resolved", "Closed: by a person, an app or automation (a timer rule's auto-close); see actor."),
        Of<ConversationEventData>("conversation.reopened", "A resolved conversation opened again (the customer wrote, or someone reopened it)."),
        Of<ConversationAssignedData>("conversation.assigned", "The owner changed: given to a person (by hand, taken, by the router or a timer rule) or unassigned."),
        Of<ConversationRoutedData>("conversation.routed", "A routing rule put a new conversation in a team's queue."),
        Of<ConversationEscalatedData>("conversation.escalated", "A timer rule escalated the conversation to a lead."),
        Of<MessageEventData>("message.received", "A customer's message arrived (text masked where it holds card numbers and the like)."),
        Of<MessageEventData>("message.echoed", "A message the brand posted outside Parley was seen on the network."),
        Of<MessageRevealedData>("message.revealed", "Someone showed a message's masked details."),
        Of<ReplyQueuedData>("reply.queued", "A reply was accepted and waits to be posted."),
        Of<ReplySentData>("reply.sent", "The network accepted a reply."),
        Of<ReplyFailedData>("reply.failed", "A reply could not be posted and will not be retried by itself."),
        Of<ReplyRetriedData>("reply.retried", "Someone asked to post a failed reply again."),
        Of<NoteAddedData>("note.added", "A private note was added to a conversation."),
        Of<ReplyProposedData>("reply.proposed", "An app proposed a reply; it waits for a person's approval (docs/adr/0017)."),
        Of<ReplyApprovedData>("reply.approved", "A person approved an app's proposed reply (perhaps edited); it is queued as reply.queued."),
        Of<ReplyRejectedData>("reply.rejected", "A person rejected an app's proposed reply; it is never sent."),
        Of<ConversationTagsData>("conversation.tagged", "Tags were added to a conversation (by a person or an app)."),
        Of<ConversationTagsData>("conversation.untagged", "A tag was removed from a conversation."),
        Of<CommandInvokedData>("command.invoked", "A person's note used an app's hashtag command; the app answers with a note or a proposed reply."),
        Of<ContactCreatedData>("contact.created", "A customer was seen for the first time."),
        Of<ContactFactsChangedData>("contact.facts_changed", "An app set a contact's value and facts."),
        Of<ContactMergedData>("contact.merged", "Two contacts turned out to be one customer; the merged one's identities and conversations moved to the survivor."),
        Of<TriageBurstCompletedData>("triage.burst_completed", "The customer stopped writing; the conversation is ranked at this priority."),
        Of<TriagePriorityChangedData>("triage.priority_changed", "A conversation's priority changed other than by a new message."),
        Of<TriageSettingsChangedData>("triage.settings_changed", "A brand's triage settings changed."),
        Of<ServiceLevelClockData>("service_level.warning", "A service-level promise is about to be broken (once per clock, cycle and lead time)."),
        Of<ServiceLevelClockData>("service_level.breached", "A service-level promise was broken (once per clock and cycle)."),
        Of<ServiceLevelDto>("service_level.policy_created", "A service-level policy was added."),
        Of<ServiceLevelDto>("service_level.policy_changed", "A service-level policy changed."),
        Of<DeletedByNameData>("service_level.policy_deleted", "A service-level policy was removed."),
        Of<TimerFiredData>("timer.fired", "A timer rule acted on a conversation (once per rule and episode)."),
        Of<TimerRuleChangedData>("timer_rule.created", "A timer rule was added."),
        Of<TimerRuleChangedData>("timer_rule.changed", "A timer rule changed."),
        Of<DeletedByNameData>("timer_rule.deleted", "A timer rule was removed."),
        Of<RoutingRuleChangedData>("routing_rule.created", "A routing rule was added."),
        Of<RoutingRuleChangedData>("routing_rule.changed", "A routing rule changed."),
        Of<DeletedByNameData>("routing_rule.deleted", "A routing rule was removed."),
        Of<QueueUpdatedData>("queue.updated", "A team queue's assignment settings changed."),
        Of<AgentChangedData>("agent.changed", "A person's status, capacity or skills changed."),
        Of<TemplateDto>("template.created", "A saved reply was added."),
        Of<TemplateDto>("template.changed", "A saved reply changed."),
        Of<DeletedByNameData>("template.deleted", "A saved reply was removed."),
        Of<BrandCreatedData>("brand.created", "A brand was added."),
        Of<BrandAppRepliesChangedData>("brand.app_replies_changed", "Whether the brand's apps' replies need a person's approval changed."),
        Of<KnowledgeArticleData>("knowledge.published", "A knowledge base article was added."),
        Of<KnowledgeArticleData>("knowledge.updated", "A knowledge base article changed."),
        Of<KnowledgeDeletedData>("knowledge.deleted", "A knowledge base article was removed."),
        Of<ChannelCreatedData>("channel.created", "A channel (an X account, a Facebook page) was connected."),
        Of<UserChangedData>("user.created", "A person was added (installation-wide)."),
        Of<UserChangedData>("user.updated", "A person's role, teams or account changed (installation-wide)."),
        Of<TeamCreatedData>("team.created", "A team was added."),
        Of<TeamUpdatedData>("team.updated", "A team's name or members changed."),
        Of<AppCreatedData>("app.created", "An app was registered (installation-wide)."),
        Of<AppUpdatedData>("app.updated", "An app's name, scopes or brands changed (installation-wide)."),
        Of<AppDeletedData>("app.deleted", "An app was removed and its keys revoked (installation-wide)."),
        Of<AppCommandAddedData>("app.command_added", "An app registered a hashtag command (installation-wide)."),
        Of<AppCommandRemovedData>("app.command_removed", "An app's hashtag command was removed (installation-wide)."),
        Of<AppKeyCreatedData>("app.key.created", "An app's key was rotated (installation-wide)."),
        Of<AppKeyRevokedData>("app.key.revoked", "An app's key was revoked (installation-wide)."),
        Of<WebhookCreatedData>("webhook.created", "A webhook subscription was added (installation-wide)."),
        Of<WebhookUpdatedData>("webhook.updated", "A webhook subscription changed (installation-wide)."),
        Of<WebhookDeletedData>("webhook.deleted", "A webhook subscription was removed (installation-wide)."),
        Of<WebhookSecretRotatedData>("webhook.secret_rotated", "A webhook subscription's signing secret was rotated; the old one signs too until it expires (installation-wide)."),
        Of<WebhookPausedData>("webhook.paused", "A failing webhook endpoint was paused (installation-wide)."),
        Of<WebhookRedeliveryRequestedData>("webhook.redelivery_requested", "A dead-lettered delivery was sent again on request (installation-wide)."),
    ];

    private static readonly Dictionary<string, EventType> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static EventType? Find(string name) => ByName.GetValueOrDefault(name);

    private static EventType Of<TData>(string name, string description, int version = 1) => new(name, version, description, typeof(TData));
}
