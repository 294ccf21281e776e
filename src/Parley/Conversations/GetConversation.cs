using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;

namespace Parley.Conversations;

public static class GetConversation
{
    public static void MapGetConversation(this IEndpointRouteBuilder group) =>
        group.MapGet("/{id:guid}", Handle).WithSummary("A conversation with all its messages (sensitive values masked; each inbound message with its signals), oldest first, its customer, and its triage: priority, reasons, signals, the patience window.");

    internal static async Task<Results<Ok<ConversationDetail>, ProblemHttpResult>> Handle(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var c = await viewer.Visible(db.Conversations.AsNoTracking()).Include(x => x.Contact).ThenInclude(x => x!.Identities)
            .AsSplitQuery().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return Problems.NotFound("conversation", id);
        var kind = await db.Channels.Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).FirstAsync(ct);
        var messages = await db.Messages.AsNoTracking().Where(m => m.ConversationId == id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(ct);
        return TypedResults.Ok(new ConversationDetail(c.Id, c.BrandId, c.ChannelId, kind, MessageDto.Lower(c.Status),
            ConversationStates.Name(c.State), c.CreatedAt, c.LastMessageAt, c.AcknowledgedAt, c.ResolvedAt, c.SnoozedUntil,
            c.TeamId, c.AssigneeId, ContactMapping.ToDto(c.Contact!),
            messages.Select(MessageDto.From).ToList(), ConversationTriageDto.From(c)));
    }
}

public static class ContactMapping
{
    public static IdentityDto ToDto(ContactIdentity i) => new(i.Network, i.ExternalId, i.Handle, i.DisplayName, i.Followers, i.Verified);

    public static ContactDto ToDto(Contact c) => new(c.Id, c.BrandId, c.DisplayName, c.Identities.Select(ToDto).ToList());
}
