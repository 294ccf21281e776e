namespace Parley.Conversations;

/// <summary>Whether an app's replies in a brand go out directly or wait for a person's approval. The row with
/// <see cref="AppId"/> = <see cref="Guid.Empty"/> is the brand's default; a row for an app overrides it. With no
/// rows at all, app replies need approval: a brand opts into letting software speak for it unreviewed.</summary>
public sealed class AppReplyRule
{
    public static readonly Guid BrandDefault = Guid.Empty;

    public Guid BrandId { get; init; }
    public Guid AppId { get; init; }
    public bool RequireApproval { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}
