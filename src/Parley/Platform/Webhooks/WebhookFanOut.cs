using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Apps;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>What the fan-out needs to know about a subscription to decide whether it wants an event.</summary>
public sealed record SubscriptionTarget(Guid Id, IReadOnlyList<string> Types, Guid? BrandId, Guid? ChannelId, IReadOnlyList<Guid> AppBrands)
{
    public bool Wants(Event e, Guid? channelId) =>
        EventTypePatterns.MatchesAny(Types, e.Type)
        // An app limited to brands hears only of them; installation-wide events (no brand) are not theirs.
        && (AppBrands.Count == 0 || (e.BrandId is { } brand && AppBrands.Contains(brand)))
        && (BrandId is null || e.BrandId == BrandId)
        && (ChannelId is null || channelId == ChannelId);
}

/// <summary>Reads the event log in commit order (EventReader's rule, safe on PostgreSQL) and turns each event
/// into one outbox row per subscription that wants it. The rows and the new read position commit together, so
/// a crash repeats a batch at worst (the unique index on subscription and event absorbs that) and never skips one.</summary>
public sealed partial class WebhookFanOut(IServiceScopeFactory scopes, EventSignal events, WebhookSignal dispatch, TimeProvider clock,
    ILogger<WebhookFanOut> log) : BackgroundService
{
    public const string Name = "webhook-fanout";
    private const int BatchSize = 500;
    /// <summary>How long the read position may go unsaved while no delivery is queued. Saving it after every
    /// batch would add a write to each burst of events, and SQLite has one writer; losing it in a crash only
    /// means reading those events again, which queues nothing that was not wanted.</summary>
    private static readonly TimeSpan IdleSaveInterval = TimeSpan.FromSeconds(5);

    private Guid? _position;
    private bool _positionKnown;
    private DateTimeOffset _savedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken) < BatchSize)
                    await events.WaitAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogFanOutFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <returns>How many events were read.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var cursor = await db.WebhookCursors.FirstOrDefaultAsync(c => c.Name == WebhookCursor.FanOut, ct);
        if (cursor is null)
        {
            cursor = new WebhookCursor();
            db.WebhookCursors.Add(cursor);
        }
        if (!_positionKnown)
        {
            (_position, _positionKnown) = (cursor.LastEventId, true);
        }
        var batch = await EventReader.ReadAfterAsync(db, _position, BatchSize, ct);
        if (batch.Count == 0) return 0;

        var targets = await TargetsAsync(db, ct);
        var channels = targets.Any(t => t.ChannelId is not null) ? await ChannelsOfAsync(db, batch, ct) : [];
        var now = clock.GetUtcNow();
        var queued = 0;
        foreach (var e in batch)
        {
            var channel = channels.TryGetValue(e.Subject, out var c) ? c : (Guid?)null;
            string? body = null;
            foreach (var target in targets.Where(t => t.Wants(e, channel)))
            {
                body ??= Envelope(e);
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    SubscriptionId = target.Id, EventId = e.Id, EventType = e.Type, OrderKey = e.Subject,
                    Body = body, NextAttemptAt = now, CreatedAt = now,
                });
                queued++;
            }
        }
        var next = batch[^1].Id;
        if (queued > 0 || now - _savedAt >= IdleSaveInterval || cursor.LastEventId is null)
        {
            // The queued deliveries and the position commit together: that is what makes the outbox lossless.
            cursor.LastEventId = next;
            await db.SaveChangesAsync(ct);
            _savedAt = now;
        }
        // Only after a successful save: a failed one reads the same batch again.
        _position = next;
        if (queued > 0) dispatch.Pulse();
        return batch.Count;
    }

    private static async Task<List<SubscriptionTarget>> TargetsAsync(ParleyDb db, CancellationToken ct)
    {
        // Paused subscriptions still queue: what happens while an endpoint is paused is delivered once it resumes.
        var rows = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.DeletedAt == null)
            .Join(db.Apps.Where(a => a.DeletedAt == null), s => s.AppId, a => a.Id, (s, a) => new { s.Id, s.EventTypes, s.BrandId, s.ChannelId, a.Scopes, a.BrandIds })
            .ToListAsync(ct);
        return rows
            .Where(r => r.Scopes.Split(' ').Any(s => s is ApiScopes.EventsRead or ApiScopes.Admin))
            .Select(r => new SubscriptionTarget(r.Id, r.EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.BrandId, r.ChannelId,
                r.BrandIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList()))
            .ToList();
    }

    /// <summary>The channel of each conversation the batch is about, for subscriptions filtered by channel.</summary>
    private static async Task<Dictionary<string, Guid>> ChannelsOfAsync(ParleyDb db, List<Event> batch, CancellationToken ct)
    {
        const string prefix = "conversations/";
        var ids = batch.Select(e => e.Subject.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParse(e.Subject.AsSpan(prefix.Length), out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty).Distinct().ToList();
        var found = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.ChannelId }).ToListAsync(ct);
        return found.ToDictionary(c => prefix + c.Id, c => c.ChannelId);
    }

    /// <summary>The body every delivery of the event carries: the same fields as the event log's API.</summary>
    public static string Envelope(Event e) => JsonSerializer.Serialize(EventDto.From(e), JsonSerializerOptions.Web);

    [LoggerMessage(LogLevel.Error, "The webhook fan-out failed; it will try again.")]
    private static partial void LogFanOutFailed(ILogger logger, Exception e);
}

/// <summary>Wakes the webhook dispatcher when deliveries were queued, redelivered or resumed.</summary>
public sealed class WebhookSignal : Wakeup;
