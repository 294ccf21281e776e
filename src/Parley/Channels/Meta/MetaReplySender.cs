using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Conversations;

namespace Parley.Channels.Meta;

/// <summary>Posts replies through the Graph API: private messages with the Send API (to a user, or
/// privately to the author of a comment), public replies under the comment being answered.</summary>
public sealed class MetaReplySender(IHttpClientFactory http) : IReplySender
{
    public string Kind => "meta";

    public async Task<SendOutcome> SendAsync(ChannelRuntime channel, OutboundReply reply, CancellationToken ct)
    {
        var m = channel.Meta!;
        var root = $"{m.ApiBaseUrl}/{m.GraphVersion}";
        HttpRequestMessage request;
        string idField;
        if (reply.Visibility == MessageVisibility.Private)
        {
            object recipient = reply.Recipient switch
            {
                { } r when r.StartsWith("comment:", StringComparison.Ordinal) => new { comment_id = r["comment:".Length..] },
                { } r when r.IndexOf(':', StringComparison.Ordinal) is > 0 and var i => new { id = r[(i + 1)..] },
                _ => throw new InvalidOperationException("A private Meta reply needs a recipient."),
            };
            request = new HttpRequestMessage(HttpMethod.Post, $"{root}/{m.PageId}/messages")
            { Content = JsonContent.Create(new { recipient, messaging_type = "RESPONSE", message = new { text = reply.Text } }) };
            idField = "message_id";
        }
        else
        {
            var target = reply.InReplyTo ?? throw new InvalidOperationException("A public Meta reply answers a comment.");
            request = new HttpRequestMessage(HttpMethod.Post, $"{root}/{target}/{CommentEdge(reply)}")
            { Content = JsonContent.Create(new { message = reply.Text }) };
            idField = "id";
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", m.PageAccessToken);

        try
        {
            using var response = await http.CreateClient("networks").SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return await HttpOutcomes.FailureAsync(response, ct);
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var id = doc.RootElement.GetProperty(idField).GetString();
            return id is null ? new SendOutcome.Retry("Meta answered without an id.", null, true) : new SendOutcome.Sent(id);
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
        var m = channel.Meta!;
        var root = $"{m.ApiBaseUrl}/{m.GraphVersion}";
        var client = http.CreateClient("networks");
        string url;
        if (reply.Visibility == MessageVisibility.Public)
            url = $"{root}/{reply.InReplyTo}/{CommentEdge(reply)}?fields=id,message,text,from,created_time";
        else if (reply.Recipient is { } r && !r.StartsWith("comment:", StringComparison.Ordinal))
            url = $"{root}/{m.PageId}/conversations?user_id={r[(r.IndexOf(':', StringComparison.Ordinal) + 1)..]}&fields=messages{{id,message,from,created_time}}";
        else
            return null; // Private replies to comments cannot be looked up; Meta allows only one per comment anyway.

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", m.PageAccessToken);
        using var response = await client.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        if (!doc.RootElement.TryGetProperty("data", out var data)) return null;
        var own = new[] { m.PageId, m.InstagramAccountId };
        IEnumerable<JsonElement> posts = reply.Visibility == MessageVisibility.Public
            ? data.EnumerateArray()
            : data.EnumerateArray().SelectMany(c => c.TryGetProperty("messages", out var ms) && ms.TryGetProperty("data", out var d) ? d.EnumerateArray() : []);
        foreach (var p in posts)
        {
            var text = p.TryGetProperty("message", out var msg) ? msg.GetString() : p.TryGetProperty("text", out var t) ? t.GetString() : null;
            var from = p.TryGetProperty("from", out var f) && f.TryGetProperty("id", out var fid) ? fid.GetString() : null;
            if (text == reply.Text && own.Contains(from)) return p.GetProperty("id").GetString();
        }
        return null;
    }

    // Instagram comments take replies on /replies, Facebook comments on /comments.
    private static string CommentEdge(OutboundReply reply) =>
        reply.Recipient is { } r && r.StartsWith("instagram:", StringComparison.Ordinal) ? "replies" : "comments";
}
