using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Data;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_migrations_match_the_model_so_no_schema_change_is_left_unmigrated(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        await using var scope = parley.Scope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a migration: run both 'dotnet ef migrations add' commands in docs/adr/0003.");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}
