namespace Parley.Channels;

/// <summary>One account on one network (an X account, a Facebook page with its Instagram account)
/// that a brand listens on and answers from.</summary>
public sealed class Channel
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    /// <summary>"x" or "meta".</summary>
    public string Kind { get; init; } = "";
    public string Name { get; set; } = "";
    /// <summary>Settings that are safe to show (account id, API base address), as JSON.</summary>
    public string Settings { get; set; } = "{}";
    /// <summary>Credentials, encrypted with ASP.NET Data Protection. Never returned or logged.</summary>
    public string ProtectedSecrets { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>For polled channels: the newest network id seen (X's since_id).</summary>
    public string? PollCursor { get; set; }
}
