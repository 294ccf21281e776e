using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Routing;

namespace Parley.Conversations;

/// <param name="TeamId">The team whose queue should hold it (null: none).</param>
/// <param name="AssigneeId">The person who should own it (null: nobody); they must be in the team when both are given.</param>
public sealed record AssignRequest(Guid? TeamId, Guid? AssigneeId);

public static class AssignConversation
{
    public static void MapAssignConversation(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/assign", Handle).WithSummary("Gives the conversation to a team, a person, or both; nulls clear.");

    private static async Task<Results<Ok<ConversationStatusDto>, ProblemHttpResult, ValidationProblem>> Handle(
        Guid id, AssignRequest request, ParleyDb db, TimeProvider clock, Viewer viewer, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);

        var errors = new Dictionary<string, string[]>();
        if (request.TeamId is { } teamId && !await db.Teams.AnyAsync(t => t.Id == teamId && t.BrandId == conversation.BrandId, ct))
            errors["teamId"] = [$"No team of this conversation's brand has the id {teamId}."];
        if (request.AssigneeId is { } userId)
        {
            var role = await db.Users.Where(u => u.Id == userId && u.DisabledAt == null).Select(u => (Platform.People.UserRole?)u.Role).FirstOrDefaultAsync(ct);
            if (role is null)
                errors["assigneeId"] = [$"No active user has the id {userId}."];
            else if (role == Platform.People.UserRole.Auditor)
                errors["assigneeId"] = ["Auditors read and never answer: they cannot own a conversation."];
            else if (request.TeamId is { } t && !await db.TeamMembers.AnyAsync(m => m.TeamId == t && m.UserId == userId, ct)
                && !await db.QueueResponders.AnyAsync(r => r.TeamId == t && r.UserId == userId, ct))
                errors["assigneeId"] = ["The assignee is neither a member of that team nor one of its queue's responders."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        var by = viewer.Name.Length > 0 ? viewer.Name : "api";
        var previousAssignee = conversation.AssigneeId;
        if (conversation.Assign(request.TeamId, request.AssigneeId, now).Count > 0)
            AssignmentLog.Append(db, id, conversation.BrandId, request.TeamId, request.AssigneeId, previousAssignee, EventActor.Of(viewer), "Assigned by hand.", now);
        // The new owner hears about it, unless they took it themselves.
        if (request.AssigneeId is { } assignee && assignee != previousAssignee && assignee != viewer.UserId)
        {
            db.Notifications.Add(new Notification
            {
                UserId = assignee, Kind = "assignment", ConversationId = id, CreatedAt = now,
                Text = $"{by} assigned you a conversation: {conversation.Preview}",
            });
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ChangeConversationState.ToDto(conversation));
    }
}
