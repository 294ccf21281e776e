using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.WorkspaceBench;

/// <summary>The baseline: bare Kestrel doing the least the same jobs need. A page that fetches 50
/// rows as JSON and renders them as list items (the floor for the inbox and a conversation), and a
/// fan-out that acknowledges a post and pushes its text straight to every connected page and stream
/// client, where the page appends it to its list (the floor for live updates). No database, no auth.</summary>
public sealed class BaselineSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, Channel<string>> _clients = new();

    public Uri Url { get; private set; } = null!;
    public int Connected => _clients.Count;

    private BaselineSite(WebApplication app) => _app = app;

    public static async Task<BaselineSite> StartAsync(IReadOnlyList<string> texts)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new BaselineSite(app);
        var rows = JsonSerializer.Serialize(texts.Take(50).Select((t, i) => new { id = i, name = $"Customer {i}", preview = t }));
        app.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
        app.MapGet("/rows", () => Results.Content(rows, "application/json"));
        app.MapGet("/stream", site.StreamAsync);
        app.MapPost("/post", (Delegate)site.PostAsync);
        await app.StartAsync();
        site.Url = new Uri(app.Urls.First());
        return site;
    }

    private async Task StreamAsync(HttpContext http)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        _clients[id] = channel;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        try
        {
            await http.Response.WriteAsync(": ready\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            await foreach (var text in channel.Reader.ReadAllAsync(http.RequestAborted))
            {
                await http.Response.WriteAsync("data: " + text + "\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (OperationCanceledException) { }
        finally { _clients.TryRemove(id, out _); }
    }

    private async Task<IResult> PostAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = (await reader.ReadToEndAsync(http.RequestAborted)).Replace('\n', ' ');
        foreach (var client in _clients.Values) client.Writer.TryWrite(text);
        return Results.Accepted();
    }

    private const string Page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>
        <body><main><ul id="list"></ul></main>
        <script type="module">
          const list = document.getElementById('list');
          const row = (r) => {
            const li = document.createElement('li');
            const name = document.createElement('strong');
            name.textContent = r.name;
            const preview = document.createElement('span');
            preview.textContent = r.preview;
            li.append(name, ' ', preview);
            return li;
          };
          const rows = await (await fetch('/rows')).json();
          list.replaceChildren(...rows.map(row));
          requestAnimationFrame(() => setTimeout(() => performance.mark('parley:inbox'), 0));
          new EventSource('/stream').onmessage = (e) => list.append(row({ name: 'Customer', preview: e.data }));
        </script></body></html>
        """;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
