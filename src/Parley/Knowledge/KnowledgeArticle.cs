namespace Parley.Knowledge;

/// <summary>An article of a brand's knowledge base (return policy, carrier delays, how to reset a password),
/// written by the brand's apps or its leads, searched by agents from the conversation page.</summary>
public sealed class KnowledgeArticle
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    /// <summary>Lower-case tags, space separated.</summary>
    public string Tags { get; set; } = "";
    /// <summary>Title, body and tags in lower case: what search matches, the same way on both databases.</summary>
    public string SearchText { get; set; } = "";
    public string UpdatedBy { get; set; } = "";
    public Guid? UpdatedByUserId { get; set; }
    public Guid? UpdatedByAppId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}
