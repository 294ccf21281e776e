using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;
using Parley.Promises;
using Parley.Triage;

namespace Parley.Conversations;

/// <param name="Priority">0-100, from everything the customer wrote.</param>
/// <param name="Clock">The most pressing service-level clock (urgency none when no policy applies).</param>
public sealed record CardConversation(Guid Id, Guid ChannelId, string Status, string State, int Priority, IReadOnlyList<string> PriorityReasons,
    string Preview, DateTimeOffset LastMessageAt, ClockSummaryDto Clock);

/// <param name="Sentiment">negative, neutral or positive, from the triage of their latest message.</param>
public sealed record CardMood(string Sentiment, double Score, Guid MessageId, DateTimeOffset At);

/// <summary>A clock of an open conversation that has warned or is overdue.</summary>
public sealed record CardPromise(Guid ConversationId, string? Policy, string? Clock, string Urgency, DateTimeOffset? DueAt, TimeSpan? TimeLeft);

/// <summary>What another department needs to know about a customer at a glance.</summary>
/// <param name="LastMood">Null until one of their messages has been triaged.</param>
/// <param name="Facts">From the brand's systems (PUT /contacts/{id}/facts).</param>
public sealed record ContactCardDto(Guid Id, Guid BrandId, string DisplayName, IReadOnlyList<IdentityDto> Identities,
    IReadOnlyList<CardConversation> OpenConversations, CardMood? LastMood, IReadOnlyList<CardPromise> PromisesAtRisk,
    decimal? Value, JsonElement? Facts, DateTimeOffset? FactsUpdatedAt);

public static class ContactCard
{
    public static void MapContactCard(this IEndpointRouteBuilder api) =>
        api.MapGet("/contacts/{id:guid}/card", HandleAsync).WithTags("Contacts")
            .WithSummary("A customer at a glance: identities, open conversations with their most pressing clock, last mood, promises at risk, and the brand's facts.");

    private static async Task<Results<Ok<ContactCardDto>, ProblemHttpResult>> HandleAsync(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct) =>
        await BuildAsync(db, viewer, id, clock.GetUtcNow(), ct) is { } card ? TypedResults.Ok(card) : Problems.NotFound("contact", id);

    /// <summary>Whether <paramref name="viewer"/> may know the customer at all: those who see the whole brand, or one of the
    /// customer's conversations (as GET /contacts/{id} decides).</summary>
    public static async Task<Contact?> FindAsync(ParleyDb db, Viewer viewer, Guid id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return null;
        if (viewer.SeesEverything || (viewer.IsAdmin && viewer.SeesBrand(contact.BrandId))) return contact;
        return await viewer.Visible(db.Conversations.AsNoTracking()).AnyAsync(c => c.ContactId == id, ct) ? contact : null;
    }

    /// <summary>The card as <paramref name="viewer"/> may see it; null when the contact is unknown to them.</summary>
    public static async Task<ContactCardDto?> BuildAsync(ParleyDb db, Viewer viewer, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var contact = await FindAsync(db, viewer, id, ct);
        if (contact is null) return null;
        var open = await viewer.Visible(db.Conversations.AsNoTracking())
            .Where(c => c.ContactId == id && c.Status == ConversationStatus.Open && !c.Removed)
            .OrderByDescending(c => c.RankedPriority).ThenByDescending(c => c.LastMessageAt).Take(20).ToListAsync(ct);
        var clocks = (await ClockSummaries.EvaluateAsync(db, open, now, ct)).ToDictionary(s => s.ConversationId);
        var conversations = open.Select(c => new CardConversation(c.Id, c.ChannelId, MessageDto.Lower(c.Status), ConversationStates.Name(c.State),
            c.Priority, StoredSignals.ReadReasons(c.PriorityReasons), SensitiveData.MaskSensitive(c.Preview), c.LastMessageAt, clocks[c.Id])).ToList();
        var promises = conversations.Select(c => c.Clock).Where(s => s.Urgency is "warning" or "breached")
            .OrderBy(s => s.DueAt).Select(s => new CardPromise(s.ConversationId, s.Policy, s.Clock, s.Urgency, s.DueAt, s.TimeLeft)).ToList();

        // The mood of the latest message the customer wrote (in a conversation this viewer sees) that triage has read.
        var latest = await db.Messages.AsNoTracking()
            .Where(m => m.Direction == MessageDirection.Inbound && m.Signals != null)
            .Join(viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.ContactId == id), m => m.ConversationId, c => c.Id, (m, c) => m)
            .OrderByDescending(m => m.CreatedAt).Select(m => new { m.Id, m.CreatedAt, m.Signals }).FirstOrDefaultAsync(ct);
        var mood = latest is null ? null : StoredSignals.Read<MessageSignals>(latest.Signals) is { } s
            ? new CardMood(s.Sentiment.Label, s.Sentiment.Score, latest.Id, latest.CreatedAt) : null;

        return new ContactCardDto(contact.Id, contact.BrandId, contact.DisplayName, contact.Identities.Select(ContactMapping.ToDto).ToList(),
            conversations, mood, promises, contact.Value, ContactFacts.Parse(contact.Facts), contact.FactsUpdatedAt);
    }
}
