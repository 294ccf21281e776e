using Microsoft.EntityFrameworkCore;
using Parley.Platform.Keys;

namespace Parley.Data;

/// <summary>Brings the schema up to date at start, and makes sure the key named in
/// <c>Parley:AdminKey</c> exists so automation can use a key it already knows.</summary>
public sealed partial class DatabaseInitializer(IServiceScopeFactory scopes, IConfiguration config, TimeProvider clock,
    ILogger<DatabaseInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await DatabaseSetup.MigrateAsync(db, cancellationToken);

        if (config["Parley:AdminKey"] is { Length: > 0 } adminKey)
        {
            var hash = ApiKey.HashOf(adminKey);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(ApiKey.Create("admin (from configuration)", "admin", clock.GetUtcNow(), adminKey).Entity);
                await db.SaveChangesAsync(cancellationToken);
                LogAdminKey(log);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created the admin API key given in Parley:AdminKey.")]
    private static partial void LogAdminKey(ILogger logger);
}
