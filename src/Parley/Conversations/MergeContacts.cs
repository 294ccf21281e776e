using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

/// <param name="OtherContactId">The contact to merge into this one; it stops existing on its own.</param>
public sealed record MergeContactsRequest(Guid? OtherContactId);

/// <param name="ContactId">The surviving contact.</param>
/// <param name="MergedContactId">The contact merged into it.</param>
/// <param name="IdentityIds">The survivor's identities now, the merged one's included.</param>
/// <param name="ConversationIds">The survivor's conversations now, the merged one's included.</param>
public sealed record ContactMergeDto(Guid ContactId, Guid MergedContactId, IReadOnlyList<Guid> IdentityIds, IReadOnlyList<Guid> ConversationIds);

/// <summary>Two contacts turn out to be one customer (the same person on X and on Facebook): the other's identities
/// and conversations move to this one, in one transaction with a <c>contact.merged</c> event. Merging again is a
/// no-op answered the same way; the merged contact answers 404 naming the survivor.</summary>
public static class MergeContacts
{
    public static void MapMergeContacts(this IEndpointRouteBuilder api) =>
        api.MapPost("/contacts/{id:guid}/merge", MergeAsync).WithTags("Contacts")
            .WithSummary("Merges another contact of the same brand into this one: its identities and conversations move here, " +
                "it answers 404 afterwards, and contact.merged is logged. Admins and the brand's leads; repeating it changes nothing.");

    public static ProblemHttpResult Merged(Guid id, Guid survivor) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Contact merged",
        detail: $"The contact {id} was merged into {survivor}; read /api/v1/contacts/{survivor}.",
        extensions: new Dictionary<string, object?> { ["mergedIntoId"] = survivor });

    private static async Task<Results<Ok<ContactMergeDto>, ProblemHttpResult, ValidationProblem>> MergeAsync(
        Guid id, MergeContactsRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        // Visibility first: a contact the caller may not see is a 404 whatever the body says.
        var survivor = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (survivor is null || !viewer.SeesBrand(survivor.BrandId)) return Problems.NotFound("contact", id);
        if (!viewer.IsAdmin && viewer.Role != UserRole.Lead)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only admins, the brand's leads and applications merge contacts.");
        if (request.OtherContactId is not { } otherId)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["otherContactId"] = ["Name the contact to merge into this one."] });
        if (otherId == id)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["otherContactId"] = ["A contact cannot be merged into itself."] });

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Lock both rows in one order, so two merges of the same pair (either way round) cannot both pass the checks below.
        foreach (var lockId in new[] { id, otherId }.Order())
            await db.Contacts.Where(c => c.Id == lockId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MergedIntoId, c => c.MergedIntoId), ct);
        var pair = await db.Contacts.Where(c => c.Id == id || c.Id == otherId).ToListAsync(ct);
        var self = pair.FirstOrDefault(c => c.Id == id);
        var other = pair.FirstOrDefault(c => c.Id == otherId);
        if (self is null) return Problems.NotFound("contact", id);
        if (other is null || !viewer.SeesBrand(other.BrandId)) return Problems.NotFound("contact", otherId);
        if (self.MergedIntoId is { } selfSurvivor) return Merged(id, selfSurvivor);
        if (other.MergedIntoId == id) return TypedResults.Ok(await ResultAsync(db, id, otherId, ct));
        if (other.MergedIntoId is { } elsewhere)
            return Problems.Conflict("Contact already merged", $"The contact {otherId} was merged into {elsewhere}, not into {id}.");
        if (other.BrandId != self.BrandId)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["otherContactId"] = ["Only contacts of the same brand can be merged."] });

        var now = clock.GetUtcNow();
        var identities = await db.ContactIdentities.Where(i => i.ContactId == otherId).Select(i => i.Id).ToListAsync(ct);
        var conversations = await db.Conversations.Where(c => c.ContactId == otherId).Select(c => c.Id).ToListAsync(ct);
        await db.ContactIdentities.Where(i => i.ContactId == otherId).ExecuteUpdateAsync(s => s.SetProperty(i => i.ContactId, id), ct);
        await db.Conversations.Where(c => c.ContactId == otherId).ExecuteUpdateAsync(s => s.SetProperty(c => c.ContactId, id), ct);
        other.MergedIntoId = id;
        // What the brand's apps said about the merged contact is kept where the survivor knows nothing yet.
        if (self.Value is null && other.Value is not null) self.Value = other.Value;
        if (self.Facts is null && other.Facts is not null) (self.Facts, self.FactsUpdatedAt) = (other.Facts, other.FactsUpdatedAt);
        var by = viewer.Name.Length > 0 ? viewer.Name : "api";
        db.Append("contact.merged", $"contacts/{id}", self.BrandId,
            new ContactMergedData(id, otherId, identities, conversations, by, EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(await ResultAsync(db, id, otherId, ct));
    }

    private static async Task<ContactMergeDto> ResultAsync(ParleyDb db, Guid id, Guid otherId, CancellationToken ct) => new(id, otherId,
        await db.ContactIdentities.AsNoTracking().Where(i => i.ContactId == id).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct),
        await db.Conversations.AsNoTracking().Where(c => c.ContactId == id).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct));
}
