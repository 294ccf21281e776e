using Microsoft.EntityFrameworkCore;

namespace Parley.Data;

/// <summary>Keeps SQLite's table statistics (<c>sqlite_stat1</c>) in step with the data, once a minute. Without
/// them the query planner takes any equality on an indexed column to be selective, so "open conversations whose
/// id is one of these fifty" walked every open conversation through the status index instead of looking the
/// fifty up by key: 30,000 rows read for each live inbox refresh at 100,000 conversations (docs/adr/0026).
/// <c>PRAGMA optimize</c> re-analyses only tables whose size changed a lot since they were last analysed, so
/// a run that finds nothing to do costs a few row-count checks; <c>analysis_limit</c> bounds one that does.</summary>
public sealed partial class SqliteStatistics(IServiceScopeFactory scopes, ILogger<SqliteStatistics> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass a minute after start, when the schema is migrated and there is data to describe.
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                // 0x10002: analyse every table that may need it, not only those this connection has queried.
                await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002;", stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { LogFailed(log, e); }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Updating SQLite's statistics failed; trying again in a minute.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
