using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.BenchKit;
using Parley.Data;
using Parley.Ingest;

namespace Parley.Bench;

/// <summary>Exactly-once check: each acknowledged tweet should be one stored message.</summary>
public sealed record StorageCheck(int Acknowledged, int Stored, int Duplicates, int Missing, int StoredNotAcknowledged,
    int FailedDeliveries, int QuarantinedDeliveries)
{
    public bool Passed => Duplicates == 0 && Missing == 0 && FailedDeliveries == 0 && QuarantinedDeliveries == 0;
}

/// <summary>A whole Parley server on Kestrel over loopback, on a database of its own: a SQLite
/// file in a fresh temporary folder, or a fresh PostgreSQL database that is dropped afterwards.</summary>
public sealed class ParleyUnderTest : IAsyncDisposable
{
    public const string AdminKey = "pk_bench_admin_key_0123456789";
    public const string ConsumerSecret = "bench-consumer-secret";

    private readonly ThrowawayDatabase _database;

    private ParleyUnderTest(WebApplication app, Uri url, ThrowawayDatabase database)
    {
        App = app;
        Url = url;
        _database = database;
        Api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = url };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public WebApplication App { get; }
    public Uri Url { get; }
    public HttpClient Api { get; }
    /// <summary>What Parley:Database was set to (a file path or a connection string without secrets).</summary>
    public string Database => _database.Database;
    public Guid ChannelId { get; private set; }

    /// <param name="mapMore">Adds endpoints of the benchmark's own before the server starts (the request ladder's rungs).</param>
    public static async Task<ParleyUnderTest> StartAsync(string? postgresAdmin, Action<WebApplication>? mapMore = null)
    {
        var database = await ThrowawayDatabase.CreateAsync("ingest", postgresAdmin);
        var app = ParleyApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Parley:Database"] = database.Database,
                ["Parley:KeysPath"] = Path.Combine(database.Folder, "keys"),
                ["Parley:AdminKey"] = AdminKey,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                // EF Core logs a failed command at start on a fresh PostgreSQL database (the migrations
                // history table does not exist yet); it is expected and would only clutter the output.
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        mapMore?.Invoke(app);
        await app.StartAsync();
        return new ParleyUnderTest(app, new Uri(app.Urls.First()), database);
    }

    /// <summary>Creates a brand and an X channel in webhook mode; returns the webhook address.</summary>
    public async Task<Uri> CreateXChannelAsync()
    {
        var brand = await Api.PostAsJsonAsync("/api/v1/brands", new { name = "Bench Brand" });
        brand.EnsureSuccessStatusCode();
        var brandId = (await brand.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var channel = await Api.PostAsJsonAsync("/api/v1/channels", new
        {
            kind = "x", name = "@bench", brandId,
            settings = new { accountId = "123", consumerSecret = ConsumerSecret, accessToken = "x-token", apiBaseUrl = "http://127.0.0.1:9", mode = "webhook" },
        });
        channel.EnsureSuccessStatusCode();
        ChannelId = (await channel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return new Uri(Url, $"/webhooks/x/{ChannelId}");
    }

    public async Task<T> WithDbAsync<T>(Func<ParleyDb, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ParleyDb>());
    }

    /// <summary>Deliveries waiting to be processed: pending in the database, and on SQLite those acknowledged from the
    /// ingest journal and not yet moved into it (docs/adr/0045).</summary>
    public async Task<int> PendingDeliveriesAsync() =>
        await WithDbAsync(db => db.InboundEvents.CountAsync(e => e.Status == InboundStatus.Pending))
        + (int)App.Services.GetRequiredService<IngestWriter>().Unmoved;

    public Task<int> MessageCountAsync() => WithDbAsync(db => db.Messages.CountAsync());

    /// <summary>Waits until the inbound processor has taken every stored delivery.</summary>
    /// <returns>How long it took, and whether it finished within <paramref name="timeout"/>.</returns>
    public async Task<(TimeSpan Took, bool Drained)> DrainAsync(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (await PendingDeliveriesAsync() == 0) return (Stopwatch.GetElapsedTime(started), true);
            await Task.Delay(100);
        }
        return (Stopwatch.GetElapsedTime(started), false);
    }

    /// <summary>The id of the event just before the newest one in the log. Following the stream from
    /// there yields one event at once, so the stream is known to be open before the load starts
    /// (Parley sends the response headers only with the first event).</summary>
    public Task<Guid?> SecondNewestEventIdAsync() => WithDbAsync(db => db.Events.AsNoTracking()
        .OrderByDescending(e => e.Tx).ThenByDescending(e => e.Seq).Skip(1).Select(e => (Guid?)e.Id).FirstOrDefaultAsync());

    /// <summary>Counts the stored messages of every acknowledged tweet straight from the database.</summary>
    public async Task<StorageCheck> CheckStorageAsync(IReadOnlyCollection<long> acknowledged)
    {
        var channelId = ChannelId;
        var stored = await WithDbAsync(db => db.Messages.AsNoTracking().Where(m => m.ChannelId == channelId)
            .GroupBy(m => m.ExternalId).Select(g => new { ExternalId = g.Key, Count = g.Count() }).ToListAsync());
        var failed = await WithDbAsync(db => db.InboundEvents.CountAsync(e => e.Status == InboundStatus.Failed));
        var quarantined = await WithDbAsync(db => db.InboundEvents.CountAsync(e => e.Status == InboundStatus.Quarantined));

        var counts = stored.Where(s => s.ExternalId is not null).ToDictionary(s => s.ExternalId!, s => s.Count);
        var acked = acknowledged.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var storedOnce = acked.Count(id => counts.GetValueOrDefault(id) == 1);
        var duplicates = acked.Count(id => counts.GetValueOrDefault(id) > 1);
        var missing = acked.Count(id => !counts.ContainsKey(id));
        var extra = counts.Keys.Count(id => !acked.Contains(id));
        return new StorageCheck(acked.Count, storedOnce, duplicates, missing, extra, failed, quarantined);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        // SQLite's pooled connections hold the file open; ThrowawayDatabase clears PostgreSQL's.
        if (!_database.IsPostgres) Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await _database.DisposeAsync();
    }
}
