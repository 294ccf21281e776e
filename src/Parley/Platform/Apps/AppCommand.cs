namespace Parley.Platform.Apps;

/// <summary>A hashtag command an app answers (<c>#track</c>, <c>#refund</c>): when an agent writes it in a note,
/// Parley records a <see cref="CommandInvocation"/> and the event <c>command.invoked</c> for the app.</summary>
public sealed class AppCommand
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid AppId { get; init; }
    /// <summary>Without the '#', lower case.</summary>
    public string Name { get; init; } = "";
    public string Description { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One use of a command in a conversation; the app's answer points back at it (inReplyToCommand).</summary>
public sealed class CommandInvocation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CommandId { get; init; }
    public Guid AppId { get; init; }
    public Guid ConversationId { get; init; }
    public Guid BrandId { get; init; }
    public string Command { get; init; } = "";
    public string Arguments { get; init; } = "";
    public string InvokedBy { get; init; } = "";
    public Guid? InvokedByUserId { get; init; }
    /// <summary>The note the command was written in.</summary>
    public Guid? NoteId { get; init; }
    public DateTimeOffset InvokedAt { get; init; }
}
