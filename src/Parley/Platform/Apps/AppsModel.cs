using Microsoft.EntityFrameworkCore;
using Parley.Platform.Keys;

namespace Parley.Platform.Apps;

public static class AppsModel
{
    public static void ConfigureApps(this ModelBuilder b)
    {
        b.Entity<App>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Scopes).HasMaxLength(500);
            e.Property(x => x.BrandIds).HasMaxLength(4_000);
            e.Ignore(x => x.ScopeList);
            e.Ignore(x => x.BrandList);
            e.HasIndex(x => x.OwnerId);
        });
        b.Entity<ApiKey>(e => e.HasIndex(x => x.AppId));
    }
}
