namespace Parley.Promises;

public enum FactKind
{
    /// <summary>The conversation began (its first inbound message). A customer message stands in when absent.</summary>
    Created,
    CustomerMessage,
    /// <summary>A reply to the customer, public or private. The first one in a cycle acknowledges.</summary>
    AgentReply,
    /// <summary>Marked acknowledged without a reply (for instance by an automatic acknowledgement the brand counts).</summary>
    Acknowledged,
    WaitingOnCustomerStarted,
    /// <summary>Also implied by the next customer message and by resolution.</summary>
    WaitingOnCustomerEnded,
    SnoozeStarted,
    /// <summary>Also implied by the next customer message and by resolution.</summary>
    SnoozeEnded,
    Resolved,
    /// <summary>Starts a new cycle with fresh acknowledge, next-response and resolve clocks.</summary>
    Reopened,
}

public sealed record TimelineFact(FactKind Kind, DateTimeOffset At)
{
    public static TimelineFact Created(DateTimeOffset at) => new(FactKind.Created, at);
    public static TimelineFact CustomerWrote(DateTimeOffset at) => new(FactKind.CustomerMessage, at);
    public static TimelineFact AgentReplied(DateTimeOffset at) => new(FactKind.AgentReply, at);
    public static TimelineFact Acknowledged(DateTimeOffset at) => new(FactKind.Acknowledged, at);
    public static TimelineFact WaitingOnCustomer(DateTimeOffset at) => new(FactKind.WaitingOnCustomerStarted, at);
    public static TimelineFact NoLongerWaitingOnCustomer(DateTimeOffset at) => new(FactKind.WaitingOnCustomerEnded, at);
    public static TimelineFact Snoozed(DateTimeOffset at) => new(FactKind.SnoozeStarted, at);
    public static TimelineFact Woke(DateTimeOffset at) => new(FactKind.SnoozeEnded, at);
    public static TimelineFact Resolved(DateTimeOffset at) => new(FactKind.Resolved, at);
    public static TimelineFact Reopened(DateTimeOffset at) => new(FactKind.Reopened, at);
}

/// <summary>What happened in one conversation, as far as its clocks care. Facts may come in any order;
/// they are read by time, and facts with the same time in the order given.</summary>
public sealed record ConversationTimeline(IReadOnlyList<TimelineFact> Facts)
{
    public static ConversationTimeline Of(params TimelineFact[] facts) => new(facts);
}
