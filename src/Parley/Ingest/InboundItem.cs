using Parley.Conversations;

namespace Parley.Ingest;

/// <summary>A person on a network as a payload describes them.</summary>
public sealed record Party(string Network, string ExternalId, string? Handle, string? DisplayName,
    int? Followers = null, bool Verified = false);

/// <summary>One post or private message, in Parley's terms, parsed out of a network's payload.</summary>
/// <param name="Customer">The customer side of the exchange: the author of an inbound message, the
/// addressee of the brand's own. Null when only the thread tells (the page's reply to a comment):
/// such an item joins the conversation of the message it answers, or is skipped.</param>
public sealed record InboundItem(
    string ExternalId,
    MessageDirection Direction,
    MessageVisibility Visibility,
    Party? Customer,
    string Author,
    string Text,
    DateTimeOffset CreatedAt,
    string? InReplyToExternalId,
    IReadOnlyList<MediaItem> Media);

/// <param name="Unhandled">Events in the delivery of kinds Parley does not act on (yet).</param>
public sealed record ParsedDelivery(IReadOnlyList<InboundItem> Items, int Unhandled);

/// <summary>A payload that is signed but not what the network documents: wrong JSON, wrong types,
/// missing ids. It is answered with 400 and kept in quarantine.</summary>
public sealed class MalformedPayloadException(string reason) : Exception(reason);
