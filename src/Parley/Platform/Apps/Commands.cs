using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.Keys;
using Parley.Platform.People;

namespace Parley.Platform.Apps;

public sealed record CommandRequest(string? Name, string? Description);

public sealed record CommandDto(Guid Id, Guid AppId, string AppName, string Name, string Description, DateTimeOffset CreatedAt);

/// <summary>Hashtag commands (docs/adr/0017). An app registers the commands it answers; when a person writes one in a
/// note (<c>#track 12345</c>), each app that registered it and may see the brand gets a <c>command.invoked</c> event
/// (through its webhook subscription or the event API) and answers with a note or a proposed reply that names the
/// invocation in <c>inReplyToCommand</c>.</summary>
public static partial class Commands
{
    public const int MaxPerApp = 50;

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex NamePattern();

    // A '#' not glued to a word (so "issue#12" and "##" are not commands), then the name.
    [GeneratedRegex(@"(?<![\w#&])#([A-Za-z][A-Za-z0-9_-]{0,31})(?![\w-])")]
    private static partial Regex UsePattern();

    /// <summary>Registering and listing an app's commands: admins for any app, an app's own key for itself.</summary>
    public static void MapAppCommands(this IEndpointRouteBuilder apps)
    {
        apps.MapGet("/{id:guid}/commands", ListAsync).WithSummary("The hashtag commands an app answers. Admins, or the app's own key.");
        apps.MapPost("/{id:guid}/commands", AddAsync)
            .WithSummary("Registers a hashtag command (name without '#', a description agents see). Admins, or the app's own key.");
        apps.MapDelete("/{id:guid}/commands/{name}", RemoveAsync).WithSummary("Removes a hashtag command. Admins, or the app's own key.");
    }

    /// <summary>What the composer offers when an agent types '#'.</summary>
    public static void MapConversationCommands(this IEndpointRouteBuilder conversations) =>
        conversations.MapGet("/{id:guid}/commands", AvailableAsync)
            .WithSummary("The hashtag commands that work in this conversation: those of apps that may see its brand.");

    private static async Task<(App? App, ProblemHttpResult? Problem)> AppForAsync(Guid id, ParleyDb db, Viewer viewer, ClaimsPrincipal user, CancellationToken ct)
    {
        var admin = viewer.IsPerson ? viewer.Role == UserRole.Admin : user.HasClaim(ApiKeyAuthentication.ScopeClaim, ApiScopes.Admin);
        if (viewer.IsPerson && !admin)
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: "Only admins manage an app's commands."));
        // An app learns nothing about other apps: another app's id is simply not found.
        if (!admin && viewer.AppId != id) return (null, Problems.NotFound("app", id));
        var app = await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id && a.DeletedAt == null, ct);
        return app is null ? (null, Problems.NotFound("app", id)) : (app, null);
    }

    private static async Task<Results<Ok<List<CommandDto>>, ProblemHttpResult>> ListAsync(Guid id, ParleyDb db, Viewer viewer, ClaimsPrincipal user, CancellationToken ct)
    {
        var (app, problem) = await AppForAsync(id, db, viewer, user, ct);
        if (problem is not null) return problem;
        var commands = await db.AppCommands.AsNoTracking().Where(c => c.AppId == id).OrderBy(c => c.Name).ToListAsync(ct);
        return TypedResults.Ok(commands.Select(c => ToDto(c, app!.Name)).ToList());
    }

    private static async Task<Results<Created<CommandDto>, ProblemHttpResult, ValidationProblem>> AddAsync(
        Guid id, CommandRequest request, ParleyDb db, Viewer viewer, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct)
    {
        var (app, problem) = await AppForAsync(id, db, viewer, user, ct);
        if (problem is not null) return problem;
        var name = (request.Name ?? "").Trim().TrimStart('#').ToLowerInvariant();
        var description = request.Description?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (!NamePattern().IsMatch(name)) errors["name"] = ["'name' is 1 to 32 characters: a letter, then letters, digits, '_' or '-' (the '#' is optional)."];
        if (description.Length is 0 or > 500) errors["description"] = ["'description' (what the command does, shown to agents) has 1 to 500 characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await db.AppCommands.AnyAsync(c => c.AppId == id && c.Name == name, ct))
            return Problems.Conflict("Command exists", $"The app already answers #{name}; remove it first to change it.");
        if (await db.AppCommands.CountAsync(c => c.AppId == id, ct) >= MaxPerApp)
            return Problems.Conflict("Too many commands", $"An app answers at most {MaxPerApp} commands.");

        var now = clock.GetUtcNow();
        var command = new AppCommand { AppId = id, Name = name, Description = description, CreatedAt = now };
        db.AppCommands.Add(command);
        db.Append("app.command_added", $"apps/{id}", null, new AppCommandAddedData(id, name, description), now);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return Problems.Conflict("Command exists", $"The app already answers #{name}."); }
        return TypedResults.Created($"/api/v1/apps/{id}/commands", ToDto(command, app!.Name));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid id, string name, ParleyDb db, Viewer viewer, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct)
    {
        var (_, problem) = await AppForAsync(id, db, viewer, user, ct);
        if (problem is not null) return problem;
        var normalized = name.Trim().TrimStart('#').ToLowerInvariant();
        var command = await db.AppCommands.FirstOrDefaultAsync(c => c.AppId == id && c.Name == normalized, ct);
        if (command is null) return Problems.NotFound("command", "#" + normalized);
        db.AppCommands.Remove(command);
        db.Append("app.command_removed", $"apps/{id}", null, new AppCommandRemovedData(id, normalized), clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<CommandDto>>, ProblemHttpResult>> AvailableAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        var brand = await viewer.Visible(db.Conversations.AsNoTracking()).Where(c => c.Id == id).Select(c => (Guid?)c.BrandId).FirstOrDefaultAsync(ct);
        if (brand is not { } brandId) return Problems.NotFound("conversation", id);
        var found = await ForBrandAsync(db, brandId, ct);
        return TypedResults.Ok(found.Select(f => ToDto(f.Command, f.App.Name)).OrderBy(c => c.Name).ThenBy(c => c.AppName).ToList());
    }

    /// <summary>The commands of live apps that may see the brand (an app limited to other brands never hears of it).</summary>
    private static async Task<List<(AppCommand Command, App App)>> ForBrandAsync(ParleyDb db, Guid brandId, CancellationToken ct, IReadOnlyCollection<string>? names = null)
    {
        var query = db.AppCommands.AsNoTracking().Join(db.Apps.AsNoTracking().Where(a => a.DeletedAt == null), c => c.AppId, a => a.Id, (c, a) => new { c, a });
        if (names is not null) query = query.Where(x => names.Contains(x.c.Name));
        var rows = await query.ToListAsync(ct);
        return rows.Where(x => x.a.BrandIds.Length == 0 || x.a.BrandList.Contains(brandId)).Select(x => (x.c, x.a)).ToList();
    }

    /// <summary>Records an invocation and its <c>command.invoked</c> event for each registered command the text uses,
    /// in the caller's unit of work (so the note and the invocations commit together).</summary>
    public static async Task<List<CommandInvocation>> InvokeAsync(ParleyDb db, Conversation conversation, string text, Credit by,
        Guid? noteId, DateTimeOffset now, CancellationToken ct)
    {
        var uses = UsePattern().Matches(text)
            .Select(m => (Name: m.Groups[1].Value.ToLowerInvariant(), Arguments: ArgumentsAfter(text, m.Index + m.Length)))
            .DistinctBy(u => u.Name).ToList();
        if (uses.Count == 0) return [];
        var commands = await ForBrandAsync(db, conversation.BrandId, ct, uses.Select(u => u.Name).ToList());
        var invocations = new List<CommandInvocation>();
        foreach (var (command, app) in commands)
        {
            var arguments = uses.First(u => u.Name == command.Name).Arguments;
            var invocation = new CommandInvocation
            {
                CommandId = command.Id, AppId = app.Id, ConversationId = conversation.Id, BrandId = conversation.BrandId,
                Command = command.Name, Arguments = arguments, InvokedBy = by.Name, InvokedByUserId = by.UserId, NoteId = noteId, InvokedAt = now,
            };
            db.CommandInvocations.Add(invocation);
            db.Append("command.invoked", $"conversations/{conversation.Id}", conversation.BrandId, new CommandInvokedData(invocation.Id, conversation.Id, command.Name, arguments,
                app.Id, app.Name, by.Name, by.UserId, by.Kind, noteId, by.Actor), now);
            invocations.Add(invocation);
        }
        return invocations;
    }

    /// <summary>The rest of the line after the command, e.g. "12345" in "#track 12345".</summary>
    private static string ArgumentsAfter(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        var rest = (end < 0 ? text[from..] : text[from..end]).Trim();
        return Conversation.Clip(rest, 500);
    }

    /// <summary>Checks that an app's answer names an invocation of its own in this conversation.</summary>
    public static async Task<string?> CheckAnswerAsync(ParleyDb db, Guid? invocationId, Guid conversationId, Credit by, CancellationToken ct)
    {
        if (invocationId is not { } id) return null;
        if (by.AppId is not { } appId) return "'inReplyToCommand' is for apps answering a command they were sent.";
        return await db.CommandInvocations.AnyAsync(i => i.Id == id && i.AppId == appId && i.ConversationId == conversationId, ct)
            ? null : $"No invocation {id} of one of this app's commands exists in this conversation.";
    }

    private static CommandDto ToDto(AppCommand c, string appName) => new(c.Id, c.AppId, appName, c.Name, c.Description, c.CreatedAt);
}
