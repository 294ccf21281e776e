using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

public sealed record ConversationStatusDto(Guid Id, string Status, string State, DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ResolvedAt, DateTimeOffset? SnoozedUntil, Guid? TeamId, Guid? AssigneeId);

/// <param name="Until">Wake at this time (optional when <paramref name="UntilCustomerWrites"/>).</param>
public sealed record SnoozeRequest(DateTimeOffset? Until, bool? UntilCustomerWrites);

/// <summary>The explicit steps an agent takes: resolve, reopen, wait on the customer, snooze and wake.</summary>
public static class ChangeConversationState
{
    public static void MapChangeConversationState(this IEndpointRouteBuilder group)
    {
        group.MapPost("/{id:guid}/resolve", (Guid id, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct) =>
            ChangeAsync(id, db, clock, viewer, (c, at) => c.Resolve(at), ct))
            .WithSummary("Marks the conversation resolved. Resolving twice changes nothing.");
        group.MapPost("/{id:guid}/reopen", (Guid id, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct) =>
            ChangeAsync(id, db, clock, viewer, (c, at) => c.Reopen(at), ct))
            .WithSummary("Opens a resolved conversation again.");
        group.MapPost("/{id:guid}/wait", (Guid id, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct) =>
            ChangeAsync(id, db, clock, viewer, (c, at) => c.WaitOnCustomer(at), ct))
            .WithSummary("Marks the conversation as waiting on the customer; it returns when they write.");
        group.MapPost("/{id:guid}/wake", (Guid id, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct) =>
            ChangeAsync(id, db, clock, viewer, (c, at) => c.Wake(at), ct))
            .WithSummary("Ends a snooze now.");
        group.MapPost("/{id:guid}/snooze", SnoozeAsync)
            .WithSummary("Sets the conversation aside until a time, until the customer writes, or whichever comes first.");
    }

    private static async Task<Results<Ok<ConversationStatusDto>, ProblemHttpResult, ValidationProblem>> SnoozeAsync(
        Guid id, SnoozeRequest request, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var onCustomer = request.UntilCustomerWrites ?? request.Until is null;
        if (request.Until is { } until && until <= now)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["until"] = ["'until' must be in the future."] });
        var result = await ChangeAsync(id, db, clock, viewer, (c, _) => c.Snooze(request.Until?.ToUniversalTime(), onCustomer), ct);
        return result.Result switch
        {
            Ok<ConversationStatusDto> ok => ok,
            ProblemHttpResult problem => problem,
            _ => throw new InvalidOperationException(),
        };
    }

    private static async Task<Results<Ok<ConversationStatusDto>, ProblemHttpResult>> ChangeAsync(
        Guid id, ParleyDb db, TimeProvider clock, Viewer viewer,
        Func<Conversation, DateTimeOffset, IReadOnlyList<string>> change, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var now = clock.GetUtcNow();
        var by = viewer.Name.Length > 0 ? viewer.Name : "api";
        var events = change(conversation, now);
        foreach (var type in events)
            db.Append(type, $"conversations/{id}", conversation.BrandId, ConversationEventData.From(conversation, EventActor.Of(viewer)), now);
        if (events.Count > 0) await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(conversation));
    }

    public static ConversationStatusDto ToDto(Conversation c) => new(c.Id, MessageDto.Lower(c.Status), ConversationStates.Name(c.State),
        c.AcknowledgedAt, c.ResolvedAt, c.SnoozedUntil, c.TeamId, c.AssigneeId);
}
