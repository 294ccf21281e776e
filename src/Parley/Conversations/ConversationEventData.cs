using Parley.Platform.Events;

namespace Parley.Conversations;

/// <summary>The data of conversation.* events: where the conversation now stands and who or what moved it.</summary>
/// <param name="By">Who, in words (kept for readers written before <see cref="Actor"/>).</param>
/// <param name="Actor">Who, as data: a person, an app, automation (a timer rule, the snooze waker) or the customer.</param>
public sealed record ConversationEventData(Guid ConversationId, string Status, string State, string By,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt, DateTimeOffset? SnoozedUntil, EventActor Actor)
{
    public static ConversationEventData From(Conversation c, EventActor actor, string? by = null) => new(c.Id, MessageDto.Lower(c.Status),
        ConversationStates.Name(c.State), by ?? actor.Name, c.AcknowledgedAt, c.ResolvedAt, c.SnoozedUntil, actor);
}

public static class ConversationStates
{
    /// <summary>The API's names for states: snake_case, stable.</summary>
    public static string Name(ConversationState state) => state switch
    {
        ConversationState.New => "new",
        ConversationState.Acknowledged => "acknowledged",
        ConversationState.WaitingOnCustomer => "waiting_on_customer",
        ConversationState.Snoozed => "snoozed",
        _ => "resolved",
    };

    public static ConversationState? Parse(string name) => name switch
    {
        "new" => ConversationState.New,
        "acknowledged" => ConversationState.Acknowledged,
        "waiting_on_customer" => ConversationState.WaitingOnCustomer,
        "snoozed" => ConversationState.Snoozed,
        "resolved" => ConversationState.Resolved,
        _ => null,
    };
}
