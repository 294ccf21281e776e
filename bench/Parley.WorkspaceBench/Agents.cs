using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.WorkspaceBench;

/// <summary>Someone watching a list: notes, per post token (<c>wsb-N</c> in the text), the wall-clock
/// time in Unix milliseconds at which the post first appeared in their list.</summary>
public interface IAgent : IAsyncDisposable
{
    string Kind { get; }
    Task<IReadOnlyDictionary<int, long>> SeenAsync();
}

public static partial class Tokens
{
    [GeneratedRegex(@"wsb-(\d+)")]
    public static partial Regex Pattern();

    public static string For(int n) => "wsb-" + n.ToString(CultureInfo.InvariantCulture);

    public static IEnumerable<int> In(string? text) =>
        text is null ? [] : Pattern().Matches(text).Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
}

/// <summary>A real Chromium page with a list open; a MutationObserver notes when each post's row is
/// added to the document (the frame that paints it follows within one refresh).</summary>
public sealed class BrowserAgent(IBrowserContext context, IPage page) : IAgent
{
    public string Kind => "Chromium page";

    private const string Observe = """
        () => {
          window.__seen = {};
          const note = (node) => {
            const now = Date.now();
            for (const m of (node.textContent ?? '').matchAll(/wsb-(\d+)/g)) if (!(m[1] in window.__seen)) window.__seen[m[1]] = now;
          };
          new MutationObserver((records) => {
            for (const r of records) for (const n of r.addedNodes) note(n);
          }).observe(document.body, { childList: true, subtree: true });
        }
        """;

    /// <summary>Opens <paramref name="url"/> in a signed-in context and starts watching once the list has rendered.</summary>
    public static async Task<BrowserAgent> OpenAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('parley:inbox').length > 0");
        await page.EvaluateAsync(Observe);
        return new BrowserAgent(context, page);
    }

    public async Task<IReadOnlyDictionary<int, long>> SeenAsync()
    {
        var seen = await page.EvaluateAsync<Dictionary<string, long>>("() => window.__seen");
        return seen.ToDictionary(p => int.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value);
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}

/// <summary>An agent's inbox followed over HTTP exactly as inbox.js does it: signed in through the
/// form (a cookie session), the page's live stream with rows (<c>/api/v1/live?rows=true</c>): the server sends
/// the changed rows the person may see, and the client keeps those matching its filters (open, the live channel),
/// as the page does. A post has appeared when a row showing it matched; told to resync, the client reloads its list.</summary>
public sealed partial class InboxClient : IAgent
{
    private readonly HttpClient _http;
    private readonly string _filters;
    private readonly string _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, long> _seen = new();
    /// <summary>Per conversation: when its first event was written (the event's occurredAt) and when it reached this client.</summary>
    private readonly ConcurrentDictionary<string, (long OccurredAt, long Arrived)> _heard = new();
    /// <summary>Per post token: the conversation whose row showed it.</summary>
    private readonly ConcurrentDictionary<int, string> _rows = new();
    private int _resyncs;
    /// <summary>Posts the brand's removal rules took out (spam, abuse): no inbox lists them by default.</summary>
    private readonly ConcurrentDictionary<int, bool> _takenOut = new();
    public IEnumerable<int> TakenOut => _takenOut.Keys;
    private Task _reading = Task.CompletedTask;

    public string Kind => "inbox protocol over HTTP";

    private InboxClient(HttpClient http, Guid channel)
    {
        _http = http;
        _channel = channel.ToString();
        _filters = $"status=open&channel={channel}";
    }

    public static async Task<InboxClient> SignInAsync(Uri server, string email, string password, Guid channel)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var http = new HttpClient(handler) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        var form = await http.GetStringAsync("/sign-in");
        var token = HiddenToken().Match(form);
        if (!token.Success) throw new InvalidOperationException("The sign-in form has no anti-forgery field.");
        using var response = await http.PostAsync("/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [WebUtility.HtmlDecode(token.Groups[1].Value)] = WebUtility.HtmlDecode(token.Groups[2].Value),
            ["returnUrl"] = "/", ["email"] = email, ["password"] = password,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in answered {(int)response.StatusCode}.");
        var client = new InboxClient(http, channel);
        await client.FollowAsync();
        return client;
    }

    private async Task FollowAsync()
    {
        var response = await _http.GetAsync("/api/v1/live?rows=true", HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
        // Ready once the stream says so, as the page waits for 'ready'.
        while (await reader.ReadLineAsync(_stop.Token) is { } line && line != "event: ready") { }
        _reading = Task.Run(async () =>
        {
            using var _ = response;
            using var __ = reader;
            try
            {
                string? type = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    // The page reloads its list when told to (its first page; as many rows as the bench's clients ask for).
                    if (line == "event: resync")
                    {
                        Interlocked.Increment(ref _resyncs);
                        var reload = ReadListAsync($"/api/v1/inbox?{_filters}&limit=200");
                    }
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                    if (type != "inbox.rows" || !line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                    var arrived = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    using var doc = JsonDocument.Parse(line.AsMemory(6));
                    foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
                    {
                        var item = row.GetProperty("item");
                        var id = item.GetProperty("id").GetString()!;
                        if (row.GetProperty("at").TryGetDateTimeOffset(out var at)) _heard.TryAdd(id, (at.ToUnixTimeMilliseconds(), arrived));
                        // The page's filters: open conversations of the live channel, not taken out by the brand's rules.
                        if (item.GetProperty("status").GetString() != "open" || item.GetProperty("channelId").GetString() != _channel) continue;
                        if (item.GetProperty("removed").GetBoolean())
                        {
                            foreach (var token in Tokens.In(item.GetProperty("preview").GetString())) _takenOut.TryAdd(token, true);
                            continue;
                        }
                        foreach (var token in Tokens.In(item.GetProperty("preview").GetString()))
                            if (_seen.TryAdd(token, arrived)) _rows[token] = id;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
        });
    }

    private async Task ReadListAsync(string url)
    {
        try
        {
            var json = await _http.GetStringAsync(url, _stop.Token);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var doc = JsonDocument.Parse(json);
            foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
                foreach (var token in Tokens.In(item.GetProperty("preview").GetString()))
                    if (_seen.TryAdd(token, now)) _rows[token] = item.GetProperty("id").GetString()!;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException) { }
    }

    public Task<IReadOnlyDictionary<int, long>> SeenAsync() => Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>(_seen));

    /// <summary>How many times the server told this client to reload (its queue overflowed).</summary>
    public int Resyncs => Volatile.Read(ref _resyncs);

    /// <summary>For a post this client saw: when the server wrote its conversation's first event, and when
    /// that event reached the client (Unix ms), so a delay splits into processing, the live feed, and the refetch.</summary>
    public (long OccurredAt, long Arrived)? Stages(int post) =>
        _rows.TryGetValue(post, out var id) && _heard.TryGetValue(id, out var heard) ? heard : null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex HiddenToken();
}

/// <summary>The baseline's stream client: a post has appeared when its text arrives.</summary>
public sealed class StreamClient : IAgent
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, long> _seen = new();
    private Task _reading = Task.CompletedTask;

    public string Kind => "event stream over HTTP";

    private StreamClient(HttpClient http) => _http = http;

    public static async Task<StreamClient> ConnectAsync(Uri server)
    {
        var client = new StreamClient(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan });
        var response = await client._http.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead, client._stop.Token);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(client._stop.Token));
        await reader.ReadLineAsync(client._stop.Token);
        client._reading = Task.Run(async () =>
        {
            using var _ = response;
            using var __ = reader;
            try
            {
                while (await reader.ReadLineAsync(client._stop.Token) is { } line)
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    foreach (var token in Tokens.In(line)) client._seen.TryAdd(token, now);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
        });
        return client;
    }

    public Task<IReadOnlyDictionary<int, long>> SeenAsync() => Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>(_seen));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }
}
