namespace Parley.Platform.People;

/// <summary>Something a person should see: a mention in a note, an assignment.</summary>
public sealed class Notification
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UserId { get; init; }
    /// <summary>"mention", "assignment", ...</summary>
    public string Kind { get; init; } = "";
    public Guid? ConversationId { get; init; }
    public string Text { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; set; }
}

/// <summary>A person's saved inbox filter, e.g. "Open X mentions for Billing".</summary>
public sealed class SavedView
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UserId { get; init; }
    public string Name { get; set; } = "";
    /// <summary>The inbox query string the view stands for (status=open&amp;channel=x...).</summary>
    public string Query { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}
