using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;

namespace Parley.Conversations;

public static class GetContact
{
    public static void MapGetContact(this IEndpointRouteBuilder api) =>
        api.MapGet("/contacts/{id:guid}", Handle).WithTags("Contacts")
            .WithSummary("A customer across their identities on the networks and all their conversations.");

    private static async Task<Results<Ok<ContactDetail>, ProblemHttpResult>> Handle(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return Problems.NotFound("contact", id);
        if (contact.MergedIntoId is { } survivor) return MergeContacts.Merged(id, survivor);
        var conversations = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.ContactId == id)
            .OrderByDescending(c => c.LastMessageAt)
            .Select(c => new ContactConversation(c.Id, c.ChannelId, c.Status == ConversationStatus.Open ? "open" : "resolved", c.LastMessageAt, c.Preview))
            .ToListAsync(ct);
        // Previews written before masking existed are masked on the way out.
        conversations = conversations.Select(c => c with { Preview = Triage.SensitiveData.MaskSensitive(c.Preview) }).ToList();
        // A customer is known to those who may see one of their conversations.
        if (conversations.Count == 0 && !viewer.SeesEverything) return Problems.NotFound("contact", id);
        return TypedResults.Ok(new ContactDetail(contact.Id, contact.BrandId, contact.DisplayName, contact.CreatedAt,
            contact.Identities.Select(ContactMapping.ToDto).ToList(), conversations,
            contact.Value, ContactFacts.Parse(contact.Facts), contact.FactsUpdatedAt, contact.FactsUpdatedBy, contact.FactsUpdatedByAppId));
    }
}
