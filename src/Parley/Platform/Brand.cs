namespace Parley.Platform;

/// <summary>A company (or one of its brands) whose customers Parley answers. Channels, contacts
/// and conversations all belong to exactly one brand.</summary>
public sealed class Brand
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}
