namespace Parley.Conversations;

/// <summary>A private note for colleagues inside a conversation; never sent to the customer.</summary>
public sealed class Note
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ConversationId { get; init; }
    /// <summary>The person who wrote it, or null when an app did (see <see cref="Author"/>).</summary>
    public Guid? AuthorUserId { get; init; }
    public string Author { get; init; } = "";
    public string Text { get; init; } = "";
    /// <summary>Ids of the people @mentioned, space-separated.</summary>
    public string Mentions { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The app that wrote it, if an app did (docs/adr/0017).</summary>
    public Guid? AuthorAppId { get; init; }
    /// <summary>The hashtag command invocation this note answers, when an app answers one.</summary>
    public Guid? InReplyToCommandId { get; init; }
}
