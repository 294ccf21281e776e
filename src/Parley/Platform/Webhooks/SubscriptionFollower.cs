using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;

namespace Parley.Platform.Webhooks;

/// <summary>One subscription's place in the event log, and one step along it: read a batch, send what the
/// subscription wants straight to its endpoint, keep as rows only what did not go, then move the cursor — rows and
/// cursor in one transaction (shared with the other followers' steps, ADR 25), so a crash sends a batch again (same
/// delivery ids) and never skips one (ADR 21).</summary>
internal sealed class SubscriptionFollower(SubscriptionTarget target, EventTail tail, FollowerCommits commits, WebhookSender sender, TimeProvider clock,
    WebhookOptions options)
{
    private const int BatchSize = 500;
    /// <summary>Rows waiting for the dispatcher beyond which the follower stops reading: an endpoint that is down
    /// leaves its events in the log (where they are kept anyway) instead of turning each into a row.</summary>
    private const int MaxQueued = 1_000;
    /// <summary>Successful first attempts kept for the delivery log, per subscription. Keeping every one would be
    /// the row per delivery this design exists to avoid.</summary>
    public const int RecentSuccesses = 50;
    /// <summary>How often a follower writes its latest successes to the delivery log. Written at every step, they
    /// were most of the group commit's work (50 rows in and 50 out per subscription, four steps a second), and that
    /// write holds SQLite's one writer while it runs (ADR 28). The log is at most this much (and one step) behind.</summary>
    public static readonly TimeSpan LogSuccessesEvery = TimeSpan.FromSeconds(1);
    private const string CreatedType = "webhook.created";

    private string CursorName => "webhook:" + target.Id;
    private Guid? _cursor;
    private EventReader.Position _position;
    private bool _known;
    /// <summary>The latest successes not yet in the delivery log (at most <see cref="RecentSuccesses"/>), oldest first.</summary>
    private readonly Queue<WebhookDelivery> _unlogged = new();
    private DateTimeOffset _loggedAt = DateTimeOffset.MinValue;

    /// <summary>Reads the cursor from the database again at the next step (after a failure or a lost race). The
    /// successes not yet logged are dropped: the failed step's are sent again and logged then (kept, they would be
    /// logged twice under the same id), earlier ones are missing from the log, which lists recent successes, not all.</summary>
    public void Forget()
    {
        _known = false;
        _unlogged.Clear();
    }

    public readonly record struct Step(int Read, bool Full, bool Queued, string? Paused);

    private sealed record Sent(int? Status, string? Error, DateTimeOffset At);

    public async Task<Step> RunOnceAsync(IServiceScopeFactory scopes, CancellationToken ct)
    {
        var phase = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var subscription = await db.WebhookSubscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == target.Id, ct);
        if (subscription is null || subscription.DeletedAt is not null || subscription.Status != SubscriptionStatus.Active) return default;
        if (!_known)
        {
            _cursor = await StartAsync(db, subscription, ct);
            _position = await EventReader.PositionOfAsync(db, _cursor, ct);
            _known = true;
        }
        // A conversation with a delivery still waiting is held back: its later events queue behind it, in order.
        var waiting = await db.WebhookDeliveries.Where(d => d.SubscriptionId == target.Id && d.State == DeliveryState.Pending)
            .GroupBy(d => d.OrderKey).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        if (waiting.Sum(w => w.Count) >= MaxQueued) return default;
        var blocked = waiting.Select(w => w.Key).ToHashSet();
        phase = Measured("load", phase);

        var read = await tail.ReadAfterAsync(db, _position, BatchSize, ct);
        if (read.Count == 0) return await LogSuccessesAsync(ct);
        phase = Measured("read", phase);
        if (FanOutMetrics.AgeAtRead.Enabled)
            foreach (var x in read) FanOutMetrics.AgeAtRead.Record(FanOutMetrics.AgeMs(x.Event.OccurredAt, phase));
        if (FanOutMetrics.NewestAtRead.Enabled) FanOutMetrics.NewestAtRead.Record(FanOutMetrics.AgeMs(read[^1].Event.OccurredAt, phase));
        var batch = read.Select(x => x.Event).ToList();
        var channels = target.ChannelId is null ? [] : await ChannelsOfAsync(db, batch, ct);
        var chosen = read.Where(x => target.Wants(x.Event, channels.TryGetValue(x.Event.Subject, out var c) ? c : null)).ToList();
        var wanted = chosen.Select(x => x.Event).ToList();
        var bodies = chosen.Select(x => x.Body).ToList();
        var now = clock.GetUtcNow();
        var secrets = sender.SecretsOf(subscription, now);

        // Conversations go in parallel, each one's events one after another; after a failure the rest of that
        // conversation is not tried (null: held back).
        var sent = new Sent?[wanted.Count];
        var lines = Enumerable.Range(0, wanted.Count).GroupBy(i => wanted[i].Subject);
        await Parallel.ForEachAsync(lines, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism / 4), CancellationToken = ct },
            async (line, token) =>
            {
                if (blocked.Contains(line.Key)) return;
                foreach (var i in line)
                {
                    var e = wanted[i];
                    if (FanOutMetrics.AgeAtSend.Enabled) FanOutMetrics.AgeAtSend.Record(FanOutMetrics.AgeMs(e.OccurredAt, clock.GetUtcNow()));
                    var (status, error) = await sender.PostAsync(WebhookSender.DeliveryId(target.Id, e.Id), e.Id, e.Type, bodies[i], subscription.Url, secrets, token);
                    sent[i] = new Sent(status, error, clock.GetUtcNow());
                    if (FanOutMetrics.AgeAtAnswer.Enabled) FanOutMetrics.AgeAtAnswer.Record(FanOutMetrics.AgeMs(e.OccurredAt, sent[i]!.At));
                    if (error is not null) return;
                }
            });

        phase = Measured("send", phase);
        var rows = Rows(wanted, bodies, sent, now);
        var logging = WithSuccessesIfDue(rows, now);
        var next = batch[^1];
        // The endpoint's health first: if these failures pause it, the dispatcher never retries them meanwhile.
        var attempts = sent.OfType<Sent>().Select(s => new WebhookHealth.Attempt(s.At, s.Error)).ToList();
        var paused = attempts.Any(a => a.Error is not null) || (attempts.Count > 0 && subscription.ConsecutiveFailures > 0)
            ? await WebhookHealth.RecordAsync(db, target.Id, attempts, options, ct)
            : null;
        // Rows and cursor together, with the other followers' steps (one write transaction for all of them).
        var committed = await commits.CommitAsync(new FollowerCommits.Commit(target.Id, CursorName, _cursor, next.Id, rows), ct);
        Measured("commit", phase);
        if (!committed)
        {
            Forget();
            return new Step(batch.Count, false, false, paused);
        }
        (_cursor, _position) = (next.Id, EventReader.Position.Of(next));
        if (logging) _loggedAt = now;
        return new Step(batch.Count, batch.Count == BatchSize, rows.Any(r => r.State == DeliveryState.Pending), paused);
    }

    /// <summary>Adds the successes not yet logged to <paramref name="rows"/> when the log is due (<see cref="LogSuccessesEvery"/>).</summary>
    /// <returns>Whether they were added (and are logged once the step commits).</returns>
    private bool WithSuccessesIfDue(List<WebhookDelivery> rows, DateTimeOffset now)
    {
        if (_unlogged.Count == 0 || now - _loggedAt < LogSuccessesEvery) return false;
        rows.AddRange(_unlogged);
        _unlogged.Clear();
        return true;
    }

    /// <summary>A step with nothing to read: writes the successes still waiting for the log once it is due, with the
    /// cursor where it is, so the log catches up when the traffic stops.</summary>
    private async Task<Step> LogSuccessesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cursor is not { } cursor) return default;
        var rows = new List<WebhookDelivery>();
        if (!WithSuccessesIfDue(rows, now)) return default;
        if (await commits.CommitAsync(new FollowerCommits.Commit(target.Id, CursorName, cursor, cursor, rows), ct)) _loggedAt = now;
        else Forget();
        return default;
    }

    /// <summary>The rows this batch leaves: each failed first attempt (with its retry scheduled) and each event held
    /// back, with its body, added in event order, which is the order the dispatcher keeps per conversation. Its latest
    /// successes, without a body (the dispatcher renders it again if asked to redeliver), join those waiting for the
    /// delivery log.</summary>
    private List<WebhookDelivery> Rows(List<Event> wanted, List<byte[]> bodies, Sent?[] sent, DateTimeOffset now)
    {
        var successes = Enumerable.Range(0, wanted.Count).Where(i => sent[i] is { Error: null }).ToList();
        var logged = successes.Skip(Math.Max(0, successes.Count - RecentSuccesses)).ToHashSet();
        var rows = new List<WebhookDelivery>();
        for (var i = 0; i < wanted.Count; i++)
        {
            var e = wanted[i];
            var s = sent[i];
            if (s is { Error: null } && !logged.Contains(i)) continue;
            var row = new WebhookDelivery
            {
                Id = WebhookSender.DeliveryId(target.Id, e.Id), SubscriptionId = target.Id, EventId = e.Id, EventType = e.Type,
                OrderKey = e.Subject, Body = s is { Error: null } ? "" : Encoding.UTF8.GetString(bodies[i]), CreatedAt = now, NextAttemptAt = now,
                Attempts = s is null ? 0 : 1, LastAttemptAt = s?.At, LastStatusCode = s?.Status, LastError = s?.Error,
            };
            if (s is { Error: null })
            {
                (row.State, row.DeliveredAt) = (DeliveryState.Delivered, s.At);
                _unlogged.Enqueue(row);
                if (_unlogged.Count > RecentSuccesses) _unlogged.Dequeue();
                continue;
            }
            if (s is not null && options.MaxAttempts <= 1)
                (row.State, row.DeadLetteredAt) = (DeliveryState.DeadLettered, s.At);
            else if (s is not null)
                row.NextAttemptAt = s.At + Backoff.Delay(1, options, Random.Shared);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Where the subscription's cursor is, made on first use: just after the event that recorded the
    /// subscription's creation (committed with it, so nothing later is missed); for a subscription from before
    /// per-subscription cursors, where the shared fan-out had got to, if later (what it read is already in rows).</summary>
    private async Task<Guid?> StartAsync(ParleyDb db, WebhookSubscription subscription, CancellationToken ct)
    {
        var existing = await db.WebhookCursors.AsNoTracking().FirstOrDefaultAsync(c => c.Name == CursorName, ct);
        if (existing is not null) return existing.LastEventId;
        var subject = $"apps/{subscription.AppId}/webhooks/{subscription.Id}";
        var created = await db.Events.AsNoTracking().Where(e => e.Subject == subject && e.Type == CreatedType).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(ct)
            // Not made through the API: it starts from the end of the log as it is now.
            ?? await db.Events.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(ct);
        var shared = await db.WebhookCursors.AsNoTracking().Where(c => c.Name == WebhookCursor.FanOut).Select(c => c.LastEventId).FirstOrDefaultAsync(ct);
        var start = created;
        if (shared is not null && (created is null || Later(await EventReader.PositionOfAsync(db, shared, ct), await EventReader.PositionOfAsync(db, created, ct))))
            start = shared;
        db.WebhookCursors.Add(new WebhookCursor { Name = CursorName, LastEventId = start });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Another node made it first: use theirs.
            return (await db.WebhookCursors.AsNoTracking().FirstAsync(c => c.Name == CursorName, ct)).LastEventId;
        }
        return start;
    }

    /// <summary>Records the phase that started at <paramref name="since"/> (when anyone listens) and returns now.</summary>
    private DateTimeOffset Measured(string phase, DateTimeOffset since)
    {
        var now = clock.GetUtcNow();
        if (FanOutMetrics.StepPhase.Enabled) FanOutMetrics.Phase(phase, now - since);
        return now;
    }

    private static bool Later(EventReader.Position a, EventReader.Position b) => a.Tx > b.Tx || (a.Tx == b.Tx && a.Seq > b.Seq);

    /// <summary>The channel of each conversation the batch is about, for subscriptions filtered by channel.</summary>
    private static async Task<Dictionary<string, Guid>> ChannelsOfAsync(ParleyDb db, List<Event> batch, CancellationToken ct)
    {
        const string prefix = "conversations/";
        var ids = batch.Select(e => e.Subject.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParse(e.Subject.AsSpan(prefix.Length), out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty).Distinct().ToList();
        var found = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.ChannelId }).ToListAsync(ct);
        return found.ToDictionary(c => prefix + c.Id, c => c.ChannelId);
    }
}
