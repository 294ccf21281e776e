using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;

namespace Parley.Tests.Infrastructure;

/// <summary>A whole Parley server for one test, in process, on its own database.</summary>
public sealed class TestParley : IAsyncDisposable
{
    public const string AdminKey = "pk_test_admin_key_0123456789";

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public TestDatabase Database { get; }

    private readonly bool _kestrel;
    private readonly bool _ownsDatabase;

    private TestParley(WebApplication app, TestDatabase database, bool kestrel, bool ownsDatabase)
    {
        App = app;
        Database = database;
        _kestrel = kestrel;
        _ownsDatabase = ownsDatabase;
        Client = AnonymousClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <param name="clock">A clock the test moves by hand (background workers still wake on real time).</param>
    /// <param name="database">An existing database, to start Parley again on it (a restart); the caller disposes it.</param>
    public static async Task<TestParley> StartAsync(string provider = TestDatabase.Sqlite,
        IDictionary<string, string?>? settings = null, bool kestrel = false, TimeProvider? clock = null, TestDatabase? database = null)
    {
        var ownsDatabase = database is null;
        database ??= await TestDatabase.CreateAsync(provider);
        var config = new Dictionary<string, string?>
        {
            ["Parley:Database"] = database.ConnectionString,
            ["Parley:KeysPath"] = Path.Combine(database.Folder, "keys"),
            ["Parley:AdminKey"] = AdminKey,
            ["Parley:Delivery:AttemptTimeout"] = "00:00:02",
            ["Parley:Delivery:FirstBackoff"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;

        var app = ParleyApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            if (clock is not null) b.Services.AddSingleton(clock);
            if (kestrel) b.WebHost.UseUrls("http://127.0.0.1:0");
            else b.WebHost.UseTestServer();
        });
        await app.StartAsync();
        return new TestParley(app, database, kestrel, ownsDatabase);
    }

    /// <summary>A client for requests that must not carry the admin key. Like the in-process test client, it
    /// neither follows redirects nor keeps cookies of its own (<c>Session</c> keeps them, as a browser would).</summary>
    public HttpClient AnonymousClient() =>
        _kestrel
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(App.Urls.First()) }
            : App.GetTestClient();

    public AsyncServiceScope Scope() => App.Services.CreateAsyncScope();

    public async Task<T> WithDbAsync<T>(Func<ParleyDb, Task<T>> query)
    {
        await using var scope = Scope();
        return await query(scope.ServiceProvider.GetRequiredService<ParleyDb>());
    }

    public async Task<Guid> CreateBrandAsync(string name = "Test Brand")
    {
        var response = await Client.PostAsJsonAsync("/api/v1/brands", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>An X channel with the Zammad fixtures' account (123) and consumer secret ("DDD").</summary>
    public async Task<Guid> CreateXChannelAsync(string apiBaseUrl = "http://127.0.0.1:9", string accountId = "123",
        string consumerSecret = "DDD", string mode = "webhook", Guid? brandId = null)
    {
        brandId ??= await CreateBrandAsync();
        var response = await Client.PostAsJsonAsync("/api/v1/channels", new
        {
            kind = "x", name = "@test", brandId,
            settings = new { accountId, consumerSecret, accessToken = "x-token", apiBaseUrl, mode },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<Guid> CreateMetaChannelAsync(string pageId, string appSecret = "Bar", string apiBaseUrl = "http://127.0.0.1:9",
        string? instagramAccountId = null, Guid? brandId = null)
    {
        brandId ??= await CreateBrandAsync();
        var response = await Client.PostAsJsonAsync("/api/v1/channels", new
        {
            kind = "meta", name = "page", brandId,
            settings = new { pageId, instagramAccountId, appSecret, verifyToken = "meatyhamhock", pageAccessToken = "meta-token", apiBaseUrl },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public Task<HttpResponseMessage> PostXWebhookAsync(Guid channelId, byte[] body, string? signature) =>
        PostRawAsync($"/webhooks/x/{channelId}", body, "x-twitter-webhooks-signature", signature);

    public Task<HttpResponseMessage> PostMetaWebhookAsync(Guid channelId, byte[] body, string? signature) =>
        PostRawAsync($"/webhooks/meta/{channelId}", body, "X-Hub-Signature-256", signature);

    private async Task<HttpResponseMessage> PostRawAsync(string path, byte[] body, string header, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null) request.Headers.TryAddWithoutValidation(header, signature);
        return await AnonymousClient().SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Every event in the log, read through the API once it shows all committed events. On
    /// PostgreSQL the API holds back events while any older transaction in the cluster is still running
    /// (docs/adr/0004), and tests on other databases of the same server run at the same time.</summary>
    public async Task<List<JsonElement>> AllEventsAsync()
    {
        var committed = await WithDbAsync(db => Task.FromResult(db.Events.Count()));
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var items = new List<JsonElement>();
            string? after = null;
            while (true)
            {
                var page = await GetJsonAsync("/api/v1/events?limit=1000" + (after is null ? "" : "&after=" + after));
                var batch = page.GetProperty("items").EnumerateArray().ToList();
                if (batch.Count == 0) break;
                items.AddRange(batch);
                after = page.GetProperty("nextCursor").GetString();
            }
            if (items.Count >= committed || DateTime.UtcNow > until) return items;
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until every stored delivery has been processed (processing runs in the background).</summary>
    public async Task DrainInboundAsync(TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        // On SQLite an acknowledged delivery is in the ingest journal first and in the database a moment later (ADR 45).
        await WhenMovedAsync(until);
        while (DateTime.UtcNow < until)
        {
            var pending = await WithDbAsync(db => Task.FromResult(db.InboundEvents.Count(e => e.Status == global::Parley.Ingest.InboundStatus.Pending)));
            if (pending == 0) return;
            await Task.Delay(25);
        }
        Assert.Fail("Inbound deliveries were still pending after the timeout.");
    }

    /// <summary>Waits until every acknowledged delivery is in the database (on SQLite the ingest journal's mover copies
    /// it there a moment after the acknowledgement, ADR 45).</summary>
    public async Task WhenMovedAsync(DateTime? until = null)
    {
        var writer = App.Services.GetRequiredService<global::Parley.Ingest.IngestWriter>();
        until ??= DateTime.UtcNow.AddSeconds(10);
        while (writer.Unmoved > 0)
        {
            if (DateTime.UtcNow > until) Assert.Fail($"{writer.Unmoved} acknowledged deliveries were still not in the database after the timeout.");
            await Task.Delay(5);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, or fails the test.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < until)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}
