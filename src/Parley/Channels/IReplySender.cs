using Parley.Conversations;

namespace Parley.Channels;

/// <summary>What a sender needs to post one reply.</summary>
/// <param name="InReplyTo">The network id of the public post being answered (public replies).</param>
/// <param name="Recipient">"network:id" or "comment:id" (private replies).</param>
public sealed record OutboundReply(Guid MessageId, string Text, MessageVisibility Visibility, string? InReplyTo, string? Recipient);

public abstract record SendOutcome
{
    public sealed record Sent(string ExternalId) : SendOutcome;
    /// <param name="MaybePosted">The network may have posted it (a timeout, a 5xx): look before posting again.</param>
    public sealed record Retry(string Error, TimeSpan? After, bool MaybePosted) : SendOutcome;
    /// <summary>The network refused it for good (4xx other than 429).</summary>
    public sealed record Rejected(string Error) : SendOutcome;
}

/// <summary>Posts replies to one network. The only boundary in Parley with one implementation per network.</summary>
public interface IReplySender
{
    string Kind { get; }

    Task<SendOutcome> SendAsync(ChannelRuntime channel, OutboundReply reply, CancellationToken ct);

    /// <summary>Looks on the network for this reply posted since <paramref name="since"/>, after an attempt whose
    /// outcome is unknown. Networks have no idempotency keys, so this is how a reply is never posted twice.</summary>
    /// <returns>The network's id of the post, or null if it is not there.</returns>
    Task<string?> FindPostedAsync(ChannelRuntime channel, OutboundReply reply, DateTimeOffset since, CancellationToken ct);
}
