using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Triage;

namespace Parley.Conversations;

/// <param name="Value">What the customer is worth to the brand (lifetime value, a plan tier as a number); null clears it.</param>
/// <param name="Facts">Other facts to show agents: a flat object of names to strings, numbers or booleans; null clears them.</param>
public sealed record ContactFactsRequest(decimal? Value, JsonElement? Facts);

/// <param name="UpdatedBy">Who set them: a person's or an app's name.</param>
/// <param name="UpdatedByAppId">The app that set them, when an app did.</param>
public sealed record ContactFactsDto(Guid ContactId, decimal? Value, JsonElement? Facts, DateTimeOffset? UpdatedAt,
    string? UpdatedBy = null, Guid? UpdatedByAppId = null);

/// <summary>Facts about a customer that a brand's own software knows (value, plan, open orders), supplied through
/// the API. The value counts in the priority of the customer's open conversations, which are recomputed at once.</summary>
public static class ContactFacts
{
    public const int MaxFacts = 50;

    public static void MapContactFacts(this IEndpointRouteBuilder api)
    {
        api.MapPut("/contacts/{id:guid}/facts", PutAsync).WithTags("Contacts")
            .WithSummary("Replaces what the brand's apps know about a customer: a value (counted in the priority from the brand's " +
                "highValueFrom) and facts shown to agents. Admins and the brand's leads; the customer's open conversations are re-prioritised.");
        api.MapGet("/contacts/{id:guid}/facts", GetAsync).WithTags("Contacts").WithSummary("What the brand's apps said about a customer.");
    }

    public static JsonElement? Parse(string? json) => string.IsNullOrEmpty(json) ? null : JsonDocument.Parse(json).RootElement.Clone();

    private static async Task<Results<Ok<ContactFactsDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null || contact.MergedIntoId is not null || !viewer.SeesBrand(contact.BrandId)) return Problems.NotFound("contact", id);
        return TypedResults.Ok(new ContactFactsDto(id, contact.Value, Parse(contact.Facts), contact.FactsUpdatedAt, contact.FactsUpdatedBy, contact.FactsUpdatedByAppId));
    }

    private static async Task<Results<Ok<ContactFactsDto>, ProblemHttpResult, ValidationProblem>> PutAsync(
        Guid id, ContactFactsRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null || contact.MergedIntoId is not null || !viewer.SeesBrand(contact.BrandId)) return Problems.NotFound("contact", id);
        if (!viewer.IsAdmin && viewer.Role != UserRole.Lead)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only admins, the brand's leads and applications with an admin key supply customer facts.");

        var errors = Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var credit = Credit.Of(viewer);
        var by = credit.Name;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        contact.Value = request.Value;
        contact.Facts = request.Facts is { ValueKind: JsonValueKind.Object } f ? f.GetRawText() : null;
        contact.FactsUpdatedAt = now;
        contact.FactsUpdatedBy = by;
        contact.FactsUpdatedByAppId = credit.AppId;
        db.Append("contact.facts_changed", $"contacts/{id}", contact.BrandId,
            new ContactFactsChangedData(id, request.Value, request.Facts, by, credit.Actor, credit.Kind, credit.AppId), now);

        // The customer's open conversations take the new value into their priority now.
        var open = await db.Conversations.Where(c => c.ContactId == id && c.Status == ConversationStatus.Open).ToListAsync(ct);
        if (open.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            var (settings, version) = await BrandTriageCache.LoadAsync(db, contact.BrandId, ct);
            var channelIds = open.Select(c => c.ChannelId).Distinct().ToArray();
            var kinds = await db.Channels.AsNoTracking().Where(c => channelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Kind, ct);
            foreach (var conversation in open)
                await TriageStore.RecomputeAsync(db, conversation, settings, version, kinds.GetValueOrDefault(conversation.ChannelId, ""), "customer facts", now, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new ContactFactsDto(id, contact.Value, Parse(contact.Facts), now, by, credit.AppId));
    }

    private static Dictionary<string, string[]> Validate(ContactFactsRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Value is { } v && (v < -1_000_000_000_000m || v > 1_000_000_000_000m))
            errors["value"] = ["'value' is a number between -1e12 and 1e12."];
        if (request.Facts is not { } facts || facts.ValueKind == JsonValueKind.Null) return errors;
        if (facts.ValueKind != JsonValueKind.Object)
        {
            errors["facts"] = ["'facts' is an object of names to strings, numbers or booleans."];
            return errors;
        }
        var count = 0;
        foreach (var property in facts.EnumerateObject())
        {
            count++;
            if (property.Name.Length is 0 or > 64) errors[$"facts.{property.Name}"] = ["A fact's name has 1 to 64 characters."];
            var ok = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!.Length <= 500,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => true,
                _ => false,
            };
            if (!ok) errors[$"facts.{property.Name}"] = ["A fact is a string of at most 500 characters, a number or a boolean."];
        }
        if (count > MaxFacts) errors["facts"] = [$"At most {MaxFacts} facts."];
        return errors;
    }
}
