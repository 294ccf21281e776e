using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Triage;

/// <summary>Recomputes the signals and priorities of open conversations triaged with older settings than
/// their brand's: after a brand changes its rules (when too many for the request to do), after an upgrade,
/// and for a conversation whose message was triaged while the settings changed. It finds them by version, so
/// it resumes where it stopped after a restart.</summary>
public sealed partial class TriageRecompute(IServiceScopeFactory scopes, EventSignal events, WriteGate gate, TimeProvider clock,
    ILogger<TriageRecompute> log) : BackgroundService
{
    public const string Name = "triage-recompute";
    public const int BatchSize = 100;
    /// <summary>On SQLite a batch's transaction (which reads each conversation's messages and triages them again) holds the
    /// lock webhook acknowledgements wait for: a dozen or so conversations per turn at the <see cref="WriteGate"/>
    /// (docs/adr/0042).</summary>
    public const int SqliteBatchSize = 16;
    private int Batch => gate.Exclusive ? SqliteBatchSize : BatchSize;
    /// <summary>How often to look without being woken (catches a message triaged during a settings change).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Settings changed: look now rather than at the next interval.</summary>
    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { while (await RunOnceAsync(stoppingToken) == Batch) { } }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { LogFailed(log, e); }
            try { await _wake.WaitAsync(Interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <returns>How many conversations were recomputed (at most a batch).</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var stale = await db.Conversations
            .Where(c => c.Status == ConversationStatus.Open && c.TriageVersion <
                (db.TriageSettings.Where(s => s.BrandId == c.BrandId).Select(s => (int?)s.Version).FirstOrDefault() ?? TriageSettingsRecord.DefaultVersion))
            .OrderBy(c => c.Id).Take(Batch).ToListAsync(ct);
        if (stale.Count == 0) return 0;

        var now = clock.GetUtcNow();
        var channelIds = stale.Select(c => c.ChannelId).Distinct().ToArray();
        var kinds = await db.Channels.AsNoTracking().Where(c => channelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Kind, ct);
        using var turn = await gate.EnterAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var brand in stale.GroupBy(c => c.BrandId))
        {
            var (settings, version) = await BrandTriageCache.LoadAsync(db, brand.Key, ct);
            foreach (var conversation in brand)
                await TriageStore.RecomputeAsync(db, conversation, settings, version, kinds.GetValueOrDefault(conversation.ChannelId, ""),
                    $"triage settings v{version}", now, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        events.Pulse();
        return stale.Count;
    }

    [LoggerMessage(LogLevel.Error, "Recomputing triage failed; trying again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
