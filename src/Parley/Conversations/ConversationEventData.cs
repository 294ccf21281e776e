namespace Parley.Conversations;

/// <summary>The data of conversation.* events: where the conversation now stands and who or what moved it.</summary>
public sealed record ConversationEventData(Guid ConversationId, string Status, string State, string By,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt, DateTimeOffset? SnoozedUntil)
{
    public static ConversationEventData From(Conversation c, string by) => new(c.Id, MessageDto.Lower(c.Status),
        ConversationStates.Name(c.State), by, c.AcknowledgedAt, c.ResolvedAt, c.SnoozedUntil);
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
