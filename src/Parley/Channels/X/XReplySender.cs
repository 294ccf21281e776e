using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Conversations;

namespace Parley.Channels.X;

/// <summary>Posts replies through the X API v2: public replies as tweets with
/// <c>reply.in_reply_to_tweet_id</c>, private ones as DMs.</summary>
public sealed class XReplySender(IHttpClientFactory http) : IReplySender
{
    public string Kind => "x";

    public async Task<SendOutcome> SendAsync(ChannelRuntime channel, OutboundReply reply, CancellationToken ct)
    {
        var x = channel.X!;
        HttpRequestMessage request;
        if (reply.Visibility == MessageVisibility.Public)
        {
            object body = reply.InReplyTo is null
                ? new { text = reply.Text }
                : new { text = reply.Text, reply = new { in_reply_to_tweet_id = reply.InReplyTo } };
            request = new HttpRequestMessage(HttpMethod.Post, $"{x.ApiBaseUrl}/2/tweets") { Content = JsonContent.Create(body) };
        }
        else
        {
            var participant = ParticipantOf(reply);
            request = new HttpRequestMessage(HttpMethod.Post, $"{x.ApiBaseUrl}/2/dm_conversations/with/{participant}/messages")
            { Content = JsonContent.Create(new { text = reply.Text }) };
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", x.AccessToken);

        try
        {
            using var response = await http.CreateClient("networks").SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return await HttpOutcomes.FailureAsync(response, ct);
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var data = doc.RootElement.GetProperty("data");
            var id = reply.Visibility == MessageVisibility.Public ? data.GetProperty("id").GetString() : data.GetProperty("dm_event_id").GetString();
            return id is null ? new SendOutcome.Retry("X answered without an id.", null, true) : new SendOutcome.Sent(id);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or JsonException or KeyNotFoundException)
        {
            if (ct.IsCancellationRequested) throw;
            return HttpOutcomes.FromException(e);
        }
        finally { request.Dispose(); }
    }

    public async Task<string?> FindPostedAsync(ChannelRuntime channel, OutboundReply reply, DateTimeOffset since, CancellationToken ct)
    {
        var x = channel.X!;
        var client = http.CreateClient("networks");
        if (reply.Visibility == MessageVisibility.Public)
        {
            var start = since.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"{x.ApiBaseUrl}/2/users/{x.AccountId}/tweets?max_results=100&start_time={start}&tweet.fields=referenced_tweets,created_at");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", x.AccessToken);
            using var response = await client.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            if (!doc.RootElement.TryGetProperty("data", out var data)) return null;
            foreach (var t in data.EnumerateArray())
            {
                if (t.GetProperty("text").GetString() != reply.Text) continue;
                var repliesTo = t.TryGetProperty("referenced_tweets", out var refs)
                    ? refs.EnumerateArray().Where(r => r.GetProperty("type").GetString() == "replied_to").Select(r => r.GetProperty("id").GetString()).FirstOrDefault()
                    : null;
                if (repliesTo == reply.InReplyTo) return t.GetProperty("id").GetString();
            }
            return null;
        }
        else
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"{x.ApiBaseUrl}/2/dm_conversations/with/{ParticipantOf(reply)}/dm_events?max_results=100&dm_event.fields=sender_id,text,created_at");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", x.AccessToken);
            using var response = await client.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            if (!doc.RootElement.TryGetProperty("data", out var data)) return null;
            foreach (var e in data.EnumerateArray())
            {
                if (e.TryGetProperty("text", out var text) && text.GetString() == reply.Text
                    && e.TryGetProperty("sender_id", out var sender) && sender.GetString() == x.AccountId)
                    return e.GetProperty("id").GetString();
            }
            return null;
        }
    }

    private static string ParticipantOf(OutboundReply reply) =>
        reply.Recipient is { } r && r.StartsWith("x:", StringComparison.Ordinal) ? r[2..]
            : throw new InvalidOperationException("A private X reply needs an X user to write to.");
}
