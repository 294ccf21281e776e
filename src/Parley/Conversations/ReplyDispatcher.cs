using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Channels;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;

namespace Parley.Conversations;

public sealed class DeliveryOptions
{
    /// <summary>How long one attempt may take before its outcome is treated as unknown.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public int MaxAttempts { get; set; } = 10;
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Tells the dispatcher that a reply was queued.</summary>
public sealed class DeliverySignal : Wakeup;

/// <summary>Delivers queued replies to their networks with retries and backoff. A reply whose last
/// attempt may have reached the network is looked for before it is posted again, so a timeout
/// never turns into a double post.</summary>
public sealed partial class ReplyDispatcher(
    IServiceScopeFactory scopes, DeliverySignal signal, EventSignal events, ChannelDirectory channels,
    IEnumerable<IReplySender> senders, TimeProvider clock, IOptions<DeliveryOptions> options, ILogger<ReplyDispatcher> log)
    : BackgroundService
{
    public const string Name = "reply-dispatcher";
    private readonly Dictionary<string, IReplySender> _senders = senders.ToDictionary(s => s.Kind);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DeliverDueAsync(stoppingToken) == 0)
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                LogLoopFailed(log, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <returns>How many replies were attempted.</returns>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        var now = clock.GetUtcNow();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            due = await db.Messages.Where(m => m.DeliveryStatus == DeliveryStatus.Pending && m.NextAttemptAt <= now)
                .OrderBy(m => m.NextAttemptAt).Select(m => m.Id).Take(20).ToListAsync(ct);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (id, token) => await DeliverAsync(id, token));
        if (due.Count > 0) events.Pulse();
        return due.Count;
    }

    private async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var now = clock.GetUtcNow();
        var message = await db.Messages.FirstAsync(m => m.Id == id, ct);
        if (message.DeliveryStatus != DeliveryStatus.Pending || message.NextAttemptAt > now) return;

        // Claim it: another node (or a slow earlier loop) that read the same row loses this update.
        var lease = now + options.Value.AttemptTimeout * 2 + TimeSpan.FromSeconds(5);
        var seen = message.NextAttemptAt;
        var claimed = await db.Messages.Where(m => m.Id == id && m.NextAttemptAt == seen && m.DeliveryStatus == DeliveryStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, lease), ct);
        if (claimed == 0) return;

        var conversation = await db.Conversations.FirstAsync(c => c.Id == message.ConversationId, ct);
        var channel = await channels.FindAsync(message.ChannelId, ct);
        var reply = new OutboundReply(message.Id, message.Text, message.Visibility, message.InReplyToExternalId, message.Recipient);

        SendOutcome outcome;
        if (channel is null || !_senders.TryGetValue(channel.Kind, out var sender))
        {
            outcome = new SendOutcome.Rejected("The channel no longer exists.");
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.AttemptTimeout);
            try
            {
                string? found = null;
                if (message.UncertainSince is { } since) found = await sender.FindPostedAsync(channel, reply, since, timeout.Token);
                outcome = found is not null ? new SendOutcome.Sent(found) : await sender.SendAsync(channel, reply, timeout.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // A lookup that failed says nothing about the post, so the doubt remains.
                outcome = HttpOutcomes.FromException(e) is SendOutcome.Retry r && message.UncertainSince is not null
                    ? r with { MaybePosted = true } : HttpOutcomes.FromException(e);
            }
        }

        await RecordAsync(db, message, conversation, outcome, ct);
    }

    private async Task RecordAsync(ParleyDb db, Message message, Conversation conversation, SendOutcome outcome, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // The claim above was written behind the tracker's back; reload so the update is not lost.
        await db.Entry(message).ReloadAsync(ct);
        var subject = $"conversations/{conversation.Id}";
        switch (outcome)
        {
            case SendOutcome.Sent sent:
                // The network may already have echoed our post back through a webhook; keep ours.
                var echo = await db.Messages.FirstOrDefaultAsync(m => m.ChannelId == message.ChannelId && m.ExternalId == sent.ExternalId && m.Id != message.Id, ct);
                if (echo is not null) db.Messages.Remove(echo);
                message.MarkSent(sent.ExternalId);
                db.Append("reply.sent", subject, conversation.BrandId, new ReplySentData(conversation.Id, message.Id, sent.ExternalId), now);
                break;
            case SendOutcome.Rejected rejected:
                message.MarkFailed(rejected.Error);
                db.Append("reply.failed", subject, conversation.BrandId, new ReplyFailedData(conversation.Id, message.Id, rejected.Error), now);
                break;
            case SendOutcome.Retry retry when message.DeliveryAttempts + 1 >= options.Value.MaxAttempts && !retry.MaybePosted:
                message.MarkFailed($"Gave up after {message.DeliveryAttempts + 1} attempts: {retry.Error}");
                db.Append("reply.failed", subject, conversation.BrandId, new ReplyFailedData(conversation.Id, message.Id, message.DeliveryError), now);
                break;
            case SendOutcome.Retry retry:
                message.MarkAttemptFailed(retry.Error, now + (retry.After ?? Backoff(message.DeliveryAttempts)), retry.MaybePosted, now);
                LogRetry(log, message.Id, retry.Error, message.NextAttemptAt);
                break;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Exponential backoff with full jitter, so that many failed replies do not retry in step.</summary>
    private TimeSpan Backoff(int attempts)
    {
        var o = options.Value;
        var ceiling = Math.Min(o.MaxBackoff.TotalMilliseconds, o.FirstBackoff.TotalMilliseconds * Math.Pow(2, attempts));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    [LoggerMessage(LogLevel.Error, "The reply dispatcher loop failed; retrying in a second.")]
    private static partial void LogLoopFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Information, "Reply {MessageId} not delivered ({Error}); next attempt at {NextAttempt}.")]
    private static partial void LogRetry(ILogger logger, Guid messageId, string error, DateTimeOffset? nextAttempt);
}
