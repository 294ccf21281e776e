using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Ingest;

namespace Parley.Channels.X;

/// <summary>For X accounts without webhook access: reads the mentions timeline with <c>since_id</c>
/// and stores each page in the raw inbound log, where it is processed like a webhook delivery.</summary>
public sealed partial class XMentionsPoller(
    IServiceScopeFactory scopes, ChannelDirectory channels, IngestWriter writer, IHttpClientFactory http,
    TimeProvider clock, ILogger<XMentionsPoller> log) : BackgroundService
{
    public const string Name = "x-mentions-poller";
    /// <summary>X allows 180 mentions requests per 15 minutes per user: one a minute is well within it.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try { await PollAllAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e) { LogPollFailed(log, e); }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task PollAllAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            ids = await db.Channels.Where(c => c.Kind == "x").Select(c => c.Id).ToListAsync(ct);
        }
        foreach (var id in ids)
        {
            if (await channels.FindAsync(id, ct) is { X.Polls: true } channel) await PollAsync(channel, ct);
        }
    }

    private async Task PollAsync(ChannelRuntime channel, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var row = await db.Channels.FirstAsync(c => c.Id == channel.Id, ct);
        var x = channel.X!;
        var url = $"{x.ApiBaseUrl}/2/users/{x.AccountId}/mentions?max_results=100&expansions=author_id"
            + "&tweet.fields=created_at,conversation_id,in_reply_to_user_id,referenced_tweets,note_tweet"
            + "&user.fields=username,name,verified,public_metrics"
            + (row.PollCursor is { } since ? $"&since_id={since}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", x.AccessToken);
        using var response = await http.CreateClient("networks").SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            LogPollRefused(log, channel.Id, (int)response.StatusCode);
            return;
        }
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var newest = XMentionsParser.NewestId(body);
        if (newest is null) return;

        // Store the page first, then move the cursor: a crash in between re-reads a page, which dedupe absorbs.
        await writer.StoreAsync(new InboundEvent { ChannelId = channel.Id, Source = InboundParsers.XMentions, ReceivedAt = clock.GetUtcNow(), Body = body });
        row.PollCursor = newest;
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(LogLevel.Warning, "Polling X mentions failed; trying again at the next interval.")]
    private static partial void LogPollFailed(ILogger logger, Exception e);

    [LoggerMessage(LogLevel.Warning, "X refused the mentions request for channel {ChannelId} with {Status}.")]
    private static partial void LogPollRefused(ILogger logger, Guid channelId, int status);
}
