using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Apps;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Conversations;

/// <param name="InReplyToCommand">For an app answering a hashtag command: the invocationId of its command.invoked event.</param>
public sealed record NoteRequest(string? Text, Guid? InReplyToCommand = null);

public sealed record MentionDto(Guid UserId, string Name, string Mention);

/// <param name="AuthorKind">person, app (an app's key: <paramref name="AuthorAppId"/> names it) or api (an installation key).</param>
public sealed record NoteDto(Guid Id, Guid ConversationId, Guid? AuthorUserId, string Author, string Text,
    IReadOnlyList<MentionDto> Mentions, DateTimeOffset CreatedAt, string AuthorKind = "person", Guid? AuthorAppId = null, Guid? InReplyToCommand = null);

/// <summary>Private notes for colleagues inside a conversation. <c>@name</c> (the part of a colleague's
/// e-mail before the @) mentions them: they get a notification, and the live feed tells them at once.</summary>
public static partial class Notes
{
    public const int MaxLength = 10_000;

    [GeneratedRegex(@"(?<![\w@])@([a-z0-9][a-z0-9._+-]*)", RegexOptions.IgnoreCase)]
    private static partial Regex MentionPattern();

    public static void MapNotes(this IEndpointRouteBuilder conversations, IEndpointRouteBuilder api)
    {
        conversations.MapGet("/{id:guid}/notes", ListAsync).WithSummary("The conversation's private notes, oldest first.");
        conversations.MapPost("/{id:guid}/notes", AddAsync)
            .WithSummary("Adds a private note, credited to the person or app writing it; @mentions notify the colleagues named, who must be able " +
                "to see the conversation; a person's #command (registered by an app) sends that app command.invoked.");
        api.MapGet("/contacts/{id:guid}/notes", ForContactAsync).WithTags("Contacts")
            .WithSummary("Notes on all of a customer's conversations the caller may see, newest first.");
    }

    internal static async Task<Results<Ok<List<NoteDto>>, ProblemHttpResult>> ListAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (!await viewer.Visible(db.Conversations).AnyAsync(c => c.Id == id, ct)) return Problems.NotFound("conversation", id);
        var notes = await db.Notes.AsNoTracking().Where(n => n.ConversationId == id).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync(ct);
        return TypedResults.Ok(await ToDtosAsync(db, notes, ct));
    }

    private static async Task<Results<Ok<List<NoteDto>>, ProblemHttpResult>> ForContactAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var conversations = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.ContactId == id).Select(c => c.Id).ToArrayAsync(ct);
        if (conversations.Length == 0 && !await db.Contacts.AnyAsync(c => c.Id == id && viewer.SeesEverything, ct))
            return Problems.NotFound("contact", id);
        var notes = await db.Notes.AsNoTracking().Where(n => conversations.Contains(n.ConversationId))
            .OrderByDescending(n => n.CreatedAt).Take(100).ToListAsync(ct);
        return TypedResults.Ok(await ToDtosAsync(db, notes, ct));
    }

    private static async Task<Results<Created<NoteDto>, ProblemHttpResult, ValidationProblem>> AddAsync(
        Guid id, NoteRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0) return Invalid("text", "'text' is required.");
        if (text.Length > MaxLength) return Invalid("text", $"A note has at most {MaxLength} characters; this one has {text.Length}.");

        var mentioned = await ResolveMentionsAsync(db, text, ct);
        var cannotSee = new List<string>();
        foreach (var user in mentioned)
        {
            var theirs = await Viewer.ForUserAsync(db, user.Id, ct);
            if (!theirs.CanSee(conversation.BrandId, conversation.TeamId, conversation.AssigneeId)) cannotSee.Add("@" + UserEndpoints.MentionOf(user.Email));
        }
        if (cannotSee.Count > 0)
            return Invalid("text", $"{string.Join(", ", cannotSee)} cannot see this conversation (it is not in their team); assign it to them or their team first.");
        var credit = Credit.Of(viewer);
        if (await Commands.CheckAnswerAsync(db, request.InReplyToCommand, id, credit, ct) is { } answerProblem) return Invalid("inReplyToCommand", answerProblem);

        var now = clock.GetUtcNow();
        var author = credit.Name;
        var note = new Note
        {
            ConversationId = id, AuthorUserId = viewer.UserId, Author = author, Text = text, CreatedAt = now,
            Mentions = string.Join(' ', mentioned.Select(u => u.Id)), AuthorAppId = credit.AppId, InReplyToCommandId = request.InReplyToCommand,
        };
        db.Notes.Add(note);
        foreach (var user in mentioned.Where(u => u.Id != viewer.UserId))
        {
            db.Notifications.Add(new Notification
            {
                UserId = user.Id, Kind = "mention", ConversationId = id, CreatedAt = now,
                Text = Shorten($"{author} mentioned you: {text}", 1_000),
            });
        }
        db.Append("note.added", $"conversations/{id}", conversation.BrandId, new NoteAddedData(id, note.Id, author, viewer.UserId, text,
            mentioned.Select(u => u.Id).ToList(), EventActor.Of(viewer), credit.Kind, credit.AppId, request.InReplyToCommand), now);
        // Only people invoke commands: an app's note quoting "#track" must not set off another app (or itself).
        if (viewer.IsPerson) await Commands.InvokeAsync(db, conversation, text, credit, note.Id, now, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/conversations/{id}/notes", ToDto(note, mentioned));
    }

    /// <summary>The active people a text @mentions; other @words (a customer's handle) are left alone.</summary>
    public static async Task<List<User>> ResolveMentionsAsync(ParleyDb db, string text, CancellationToken ct)
    {
        var names = MentionPattern().Matches(text).Select(m => m.Groups[1].Value.TrimEnd('.', '-', '+').ToLowerInvariant()).Distinct().ToList();
        if (names.Count == 0) return [];
        var candidates = await db.Users.AsNoTracking().Where(u => u.DisabledAt == null).ToListAsync(ct);
        return candidates.Where(u => names.Contains(UserEndpoints.MentionOf(u.Email))).ToList();
    }

    private static async Task<List<NoteDto>> ToDtosAsync(ParleyDb db, List<Note> notes, CancellationToken ct)
    {
        var ids = notes.SelectMany(n => n.Mentions.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(Guid.Parse).Distinct().ToArray();
        var users = ids.Length == 0 ? [] : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToListAsync(ct);
        return notes.Select(n => ToDto(n, users.Where(u => n.Mentions.Contains(u.Id.ToString(), StringComparison.Ordinal)).ToList())).ToList();
    }

    private static NoteDto ToDto(Note n, List<User> mentioned) => new(n.Id, n.ConversationId, n.AuthorUserId, n.Author, n.Text,
        mentioned.Select(u => new MentionDto(u.Id, u.Name, UserEndpoints.MentionOf(u.Email))).ToList(), n.CreatedAt,
        Credit.KindOf(n.AuthorUserId, n.AuthorAppId), n.AuthorAppId, n.InReplyToCommandId);

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
