using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Routing;

/// <param name="TakeOver">Needed when someone else owns the conversation: the caller takes it from them.</param>
public sealed record TakeRequest(bool? TakeOver);

/// <summary>A person makes a conversation theirs. Unowned, it is theirs at once; owned by a colleague,
/// only when they say they take it over (otherwise 409, naming the owner). Two people taking the same
/// conversation at the same moment: one gets it, the other a 409.</summary>
public static class TakeConversation
{
    public static void MapTakeConversation(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/take", Handle)
            .WithSummary("Makes the conversation the caller's. If a colleague owns it, answers 409 unless takeOver is true.");

    private static async Task<Results<Ok<ConversationStatusDto>, ProblemHttpResult>> Handle(
        Guid id, TakeRequest? request, ParleyDb db, Viewer viewer, Assigner assigner, CancellationToken ct)
    {
        if (viewer.UserId is not { } me)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a person",
                detail: "Only a person signed in to the workspace can take a conversation; apps assign with POST /conversations/{id}/assign.");
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        if (conversation.AssigneeId != me)
        {
            if (conversation.AssigneeId is { } owner && request?.TakeOver != true) return await Ownership.ConflictAsync(db, owner, ct);
            var outcome = await assigner.TryAssignAsync(db, new AssignmentChange(id, me, conversation.AssigneeId, CheckCapacity: false, viewer.Name,
                conversation.AssigneeId is null ? "Took it." : "Took it over.", Notify: false) { Actor = EventActor.Of(viewer) }, ct);
            if (outcome == AssignOutcome.Gone)
                return Problems.Conflict("Conversation resolved", "The conversation is resolved; reopen it before taking it.");
            if (outcome != AssignOutcome.Assigned)
            {
                var now = await db.Conversations.AsNoTracking().Where(c => c.Id == id).Select(c => c.AssigneeId).FirstAsync(ct);
                if (now != me) return await Ownership.ConflictAsync(db, now ?? Guid.Empty, ct);
            }
        }
        var current = await db.Conversations.AsNoTracking().FirstAsync(c => c.Id == id, ct);
        return TypedResults.Ok(ChangeConversationState.ToDto(current));
    }
}

/// <summary>The answer when a person would act on a colleague's conversation without taking it over.</summary>
public static class Ownership
{
    public static async Task<ProblemHttpResult> ConflictAsync(ParleyDb db, Guid ownerId, CancellationToken ct)
    {
        var name = await db.Users.AsNoTracking().Where(u => u.Id == ownerId).Select(u => u.Name).FirstOrDefaultAsync(ct) ?? "a colleague";
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Owned by someone else",
            detail: $"{name} owns this conversation. Send again with \"takeOver\": true to take it over.",
            extensions: new Dictionary<string, object?> { ["ownerId"] = ownerId, ["ownerName"] = name });
    }
}
