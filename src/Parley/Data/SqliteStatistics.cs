using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Parley.Data;

/// <summary>Keeps SQLite's table statistics (<c>sqlite_stat1</c>) in step with the data, once a minute. Without
/// them the query planner takes any equality on an indexed column to be selective, so "open conversations whose
/// id is one of these fifty" walked every open conversation through the status index instead of looking the
/// fifty up by key: 30,000 rows read for each live inbox refresh at 100,000 conversations (docs/adr/0026).</summary>
/// <remarks>SQLite's <c>PRAGMA optimize</c> decides which tables need it (those whose size changed tenfold since
/// they were last analysed), but run whole it analyses them all in one write transaction: 81 ms under ingest, while
/// webhook acknowledgements waited for the write lock behind it (docs/adr/0042). So it is only asked which tables it
/// would analyse, and each of their indexes is analysed in a turn of its own at the <see cref="WriteGate"/>, sampling
/// at most <see cref="AnalysisLimit"/> rows: a few milliseconds each, with the ingest writer and the processor
/// taking their turns in between.</remarks>
public sealed partial class SqliteStatistics(IServiceScopeFactory scopes, WriteGate gate, ILogger<SqliteStatistics> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    /// <summary>Rows sampled per index (SQLite's <c>analysis_limit</c>): enough for the planner's ratios, bounded cost.</summary>
    public const int AnalysisLimit = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass a minute after start, when the schema is migrated and there is data to describe.
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try { await RunOnceAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { LogFailed(log, e); }
        }
    }

    /// <summary>Analyses every index of every table <c>PRAGMA optimize</c> would analyse, one index per write turn.</summary>
    /// <returns>The tables and indexes analysed, in order, with how long each held the write lock.</returns>
    public async Task<IReadOnlyList<(string Target, TimeSpan Took)>> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        await db.Database.OpenConnectionAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.ExecuteSqlRawAsync($"PRAGMA analysis_limit={AnalysisLimit}", ct);
        // A connection reads sqlite_stat1 when it reads the schema, and the pool's connections live long: this one may
        // not know what another analysed since, and PRAGMA optimize would ask for it again. ANALYZE of the schema table
        // analyses nothing and makes the connection read the statistics again (a write transaction, so at the gate).
        using (await gate.EnterAsync(ct)) await db.Database.ExecuteSqlRawAsync("ANALYZE sqlite_master", ct);
        var done = new List<(string, TimeSpan)>();
        // A table without indexes is skipped: its statistics are only its row count, which SQLite counts by reading the
        // whole table (hundreds of milliseconds for the raw bodies under ingest), and nothing is planned from them.
        foreach (var table in TablesToAnalyse(connection))
            foreach (var target in IndexesOf(connection, table))
            {
                using var turn = await gate.EnterAsync(ct);
                var started = Stopwatch.GetTimestamp();
                // The name comes from SQLite's own schema, quoted as an identifier.
                var analyze = "ANALYZE \"main\".\"" + target.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                await db.Database.ExecuteSqlRawAsync(analyze, ct);
                done.Add((target, Stopwatch.GetElapsedTime(started)));
            }
        return done;
    }

    /// <summary>What <c>PRAGMA optimize</c> would analyse: in its debugging mode (0x1) it lists the statements it would run
    /// instead of running them; 0x10000 looks at every table, not only those this connection has queried.</summary>
    private static List<string> TablesToAnalyse(SqliteConnection connection)
    {
        var tables = new List<string>();
        foreach (var line in Read(connection, "PRAGMA optimize=0x10003"))
            if (AnalyzeStatement().Match(line) is { Success: true } m) tables.Add(m.Groups["table"].Value.Replace("\"\"", "\""));
        return tables;
    }

    private static List<string> IndexesOf(SqliteConnection connection, string table) =>
        Read(connection, $"SELECT name FROM pragma_index_list('{table.Replace("'", "''")}')");

    private static List<string> Read(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) if (!reader.IsDBNull(0)) lines.Add(reader.GetString(0));
        return lines;
    }

    // e.g. ANALYZE "main"."Conversations"
    [GeneratedRegex("""^ANALYZE\s+(?:"main"|main)\.(?:"(?<table>(?:[^"]|"")+)"|(?<table>\w+))""", RegexOptions.IgnoreCase)]
    private static partial Regex AnalyzeStatement();

    [LoggerMessage(LogLevel.Warning, "Updating SQLite's statistics failed; trying again in a minute.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
