using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

public sealed record RevealedMessage(Guid MessageId, string Text);

/// <summary>The original text of a message whose sensitive values are masked everywhere else. Asking is
/// deliberate (a POST, a button in the workspace) and logged as <c>message.revealed</c> with who asked, so a
/// brand can see who read a customer's card number (docs/adr/0010).</summary>
public static class RevealMessage
{
    public static void MapRevealMessage(this IEndpointRouteBuilder group) =>
        group.MapPost("/{id:guid}/messages/{messageId:guid}/reveal", Handle)
            .WithSummary("The original text of a message, sensitive values unmasked. Logged as message.revealed with who asked.");

    private static async Task<Results<Ok<RevealedMessage>, ProblemHttpResult>> Handle(
        Guid id, Guid messageId, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.Id == id)
            .Select(c => new { c.Id, c.BrandId }).FirstOrDefaultAsync(ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var text = await db.Messages.AsNoTracking().Where(m => m.Id == messageId && m.ConversationId == id).Select(m => m.Text).FirstOrDefaultAsync(ct);
        if (text is null) return Problems.NotFound("message", messageId);
        var now = clock.GetUtcNow();
        db.Append("message.revealed", $"conversations/{id}", conversation.BrandId,
            new MessageRevealedData(id, messageId, viewer.Name.Length > 0 ? viewer.Name : "api", EventActor.Of(viewer)), now);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new RevealedMessage(messageId, text));
    }
}
