using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Conversations;

/// <summary>Works out what a reply answers on the network: the customer's latest public post for a
/// public reply, the customer's account (or, on Meta, their comment) for a private one.</summary>
public sealed record ReplyTarget(string? InReplyTo, string? Recipient, string? Problem)
{
    public static async Task<ReplyTarget> FindAsync(ParleyDb db, Conversation conversation, string kind,
        MessageVisibility visibility, CancellationToken ct)
    {
        var inbound = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound && m.ExternalId != null)
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => new { m.ExternalId, m.Visibility })
            .ToListAsync(ct);
        var identities = await db.ContactIdentities.AsNoTracking()
            .Where(i => i.ContactId == conversation.ContactId).ToListAsync(ct);
        var networks = kind == "x" ? new[] { "x" } : ["facebook", "instagram"];
        var identity = identities.FirstOrDefault(i => networks.Contains(i.Network));
        var recipient = identity is null ? null : $"{identity.Network}:{identity.ExternalId}";
        var latestPublic = inbound.FirstOrDefault(m => m.Visibility == MessageVisibility.Public)?.ExternalId;

        if (visibility == MessageVisibility.Public)
        {
            return latestPublic is null
                ? new(null, null, "The customer has written nothing in public in this conversation; reply privately.")
                : new(latestPublic, recipient, null);
        }

        if (kind == "meta" && !inbound.Any(m => m.Visibility == MessageVisibility.Private))
        {
            // On Facebook and Instagram a comment's author has no messaging id yet; Meta lets a page
            // answer the comment privately instead.
            return latestPublic is null
                ? new(null, null, "There is nothing to answer privately yet.")
                : new(null, "comment:" + latestPublic, null);
        }
        return recipient is null
            ? new(null, null, "The customer has no account on this channel's network to write to.")
            : new(null, recipient, null);
    }
}
