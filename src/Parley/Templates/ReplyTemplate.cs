using Microsoft.EntityFrameworkCore;

namespace Parley.Templates;

/// <summary>A saved reply of a brand, for everyone or for one team, with variables ({customer.name}...)
/// filled in for the conversation when an agent picks it.</summary>
public sealed class ReplyTemplate
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BrandId { get; init; }
    /// <summary>Only this team's agents are offered it; null for the whole brand.</summary>
    public Guid? TeamId { get; set; }
    public string Name { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

public static class TemplateModel
{
    public static void ConfigureTemplates(this ModelBuilder b) => b.Entity<ReplyTemplate>(e =>
    {
        e.Property(x => x.Name).HasMaxLength(200);
        e.Property(x => x.Text).HasMaxLength(8_000);
        e.Property(x => x.UpdatedBy).HasMaxLength(200);
        e.HasIndex(x => new { x.BrandId, x.TeamId, x.Name });
    });
}
