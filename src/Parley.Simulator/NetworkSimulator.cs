using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Parley.Simulator;

/// <summary>Plays X and Meta for Parley on one local HTTP server: accepts the real outbound API calls,
/// records them, keeps what they create so lookups find it, and injects faults on request.</summary>
/// <remarks>The host is built empty on purpose: started inside the Parley process it must not pick up
/// Parley's appsettings (Kestrel endpoints, URLs) or environment.</remarks>
public sealed class NetworkSimulator : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CallLog calls = new();
    private readonly FaultQueue faults = new();
    private readonly SimulatorStore store = new(TimeProvider.System);
    private readonly CancellationTokenSource stopping = new();
    private int disposed;

    private NetworkSimulator(WebApplication app)
    {
        this.app = app;
        var recorder = new TrafficRecorder(calls, faults, TimeProvider.System, stopping.Token);
        app.Use(recorder.InvokeAsync);
        new ControlApi(this).Map(app);
        new XApi(store).Map(app);
        new MetaGraphApi(store).Map(app);
    }

    /// <summary>Starts Kestrel on <paramref name="url"/> (port 0 picks a free port) and returns once it listens.</summary>
    public static Task<NetworkSimulator> StartAsync(string url = "http://127.0.0.1:0", CancellationToken ct = default) =>
        StartAsync(url, configureLogging: null, ct);

    /// <summary>As <see cref="StartAsync(string, CancellationToken)"/>, with logging set up by the caller (the standalone program logs to the console).</summary>
    public static async Task<NetworkSimulator> StartAsync(string url, Action<ILoggingBuilder>? configureLogging, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(NetworkSimulator).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        configureLogging?.Invoke(builder.Logging);
        var simulator = new NetworkSimulator(builder.Build());
        try
        {
            await simulator.app.StartAsync(ct);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
        var address = simulator.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        simulator.BaseAddress = new Uri(address.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        return simulator;
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every network API call received, in arrival order (a snapshot; control calls under <c>/_sim</c> are not included).</summary>
    public IReadOnlyList<RecordedCall> Calls => calls.Snapshot();

    public void ClearCalls() => calls.Clear();

    /// <summary>Queues a fault for the next matching call(s). Throws <see cref="ArgumentException"/> for an unknown kind.</summary>
    public void AddFault(Fault fault) => faults.Add(fault);

    /// <summary>Faults still waiting, with the uses they have left.</summary>
    public IReadOnlyList<Fault> PendingFaults => faults.Snapshot();

    public void ClearFaults() => faults.Clear();

    /// <summary>Calls to X made with <paramref name="accessToken"/> act as <paramref name="accountId"/>: tweets and DMs
    /// they create are authored by it, and DM lookups are from its side. Unregistered tokens act as account "0".</summary>
    public void RegisterXAccount(string accessToken, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        store.RegisterXAccount(accessToken, accountId);
    }

    /// <summary>Graph calls made with <paramref name="accessToken"/> act as <paramref name="pageId"/>: comment replies are
    /// "from" it and <c>/me/...</c> resolves to it. Unregistered tokens act as page "0".</summary>
    public void RegisterMetaPage(string accessToken, string pageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(pageId);
        store.RegisterMetaPage(accessToken, pageId);
    }

    /// <summary>Adds a tweet to the mentions timeline of <paramref name="accountId"/> (<c>GET /2/users/{id}/mentions</c>).</summary>
    public void QueueMention(string accountId, SimTweet tweet)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentNullException.ThrowIfNull(tweet);
        if (!NumericIds.IsNumeric(tweet.Id)) throw new ArgumentException("A tweet id is a decimal number.", nameof(tweet));
        store.QueueMention(accountId, tweet);
    }

    /// <summary>Forgets calls, faults and everything created (registrations stay).</summary>
    public void Reset()
    {
        calls.Clear();
        faults.Clear();
        store.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await stopping.CancelAsync(); // releases answers held back by timeout faults
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try { await app.StopAsync(grace.Token); }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException) { }
        }
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
