[assembly: AssemblyFixture(typeof(Parley.BrowserTests.Infrastructure.Chromium))]
// Chromium and the servers share two cores; one test at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Parley.BrowserTests.Infrastructure;

/// <summary>Debian's Chromium (<c>/usr/bin/chromium</c>, installed by ./test.sh), driven by Playwright,
/// shared by every test; each test opens its own browser contexts. Playwright never downloads a browser here.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    /// <summary>Script errors seen in any page since the last call; tests assert there were none.</summary>
    public IReadOnlyList<string> TakeScriptErrors()
    {
        var taken = new List<string>();
        while (_errors.TryDequeue(out var e)) taken.Add(e);
        return taken;
    }

    public void AssertNoScriptErrors()
    {
        var errors = TakeScriptErrors();
        Assert.True(errors.Count == 0, "Script errors in the page:\n" + string.Join("\n", errors));
    }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium did not start.");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath)) return;
        // Two cores shared with the server and the simulator: allow for a slow moment.
        Assertions.SetDefaultExpectTimeout(10_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Skips the test where Chromium is missing (an IDE); ./test.sh installs it and requires these tests.</summary>
    public void Require()
    {
        if (_browser is not null) return;
        if (Environment.GetEnvironmentVariable("PARLEY_REQUIRE_BROWSER") == "1")
            throw new InvalidOperationException($"{ExecutablePath} is missing but browser tests are required (./test.sh installs it).");
        Assert.Skip($"Chromium is not installed at {ExecutablePath} (./test.sh installs it).");
    }

    /// <summary>A fresh browser profile: its own cookies, as a second person on another computer.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserParley parley, int width = 1280, int height = 800)
    {
        Require();
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = parley.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        context.Page += (_, page) =>
        {
            page.PageError += (_, error) => _errors.Enqueue($"{page.Url}: {error}");
            page.Console += (_, message) =>
            {
                // A page's failed fetches are reported by its own error states; script errors are defects.
                if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                    _errors.Enqueue($"{page.Url}: {message.Text}");
            };
        };
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
