using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Simulator;

namespace Parley.BrowserTests.Infrastructure;

/// <summary>A whole Parley on Kestrel (a free loopback port, its own SQLite file) with the network
/// simulator playing X, a brand with an X channel, and helpers to add people and to have customers post.</summary>
public sealed class BrowserParley : IAsyncDisposable
{
    public const string AdminKey = "pk_browser_admin_key_0123456789";
    public const string Password = "correct horse battery";
    public const string XAccountId = "900000000000000001";
    public const string XHandle = "ParleyAir";
    private const string XSecret = "browser-consumer-secret";
    private const string XToken = "browser-x-token";

    private readonly string _folder;
    private long _nextTweet = 1_600_000_000_000_000_000;

    public WebApplication App { get; }
    public NetworkSimulator Simulator { get; }
    public Uri BaseAddress { get; }
    public HttpClient Admin { get; }
    public Guid BrandId { get; private set; }
    public Guid XChannelId { get; private set; }

    private BrowserParley(WebApplication app, NetworkSimulator simulator, string folder)
    {
        App = app;
        Simulator = simulator;
        _folder = folder;
        BaseAddress = new Uri(app.Urls.First());
        Admin = new HttpClient { BaseAddress = BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    /// <param name="settings">Configuration on top of the defaults, e.g. Parley:Webhooks:*.</param>
    public static async Task<BrowserParley> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-browser-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var simulator = await NetworkSimulator.StartAsync();
        simulator.RegisterXAccount(XToken, XAccountId);
        var config = new Dictionary<string, string?>
        {
            ["Parley:Database"] = Path.Combine(folder, "parley.db"),
            ["Parley:KeysPath"] = Path.Combine(folder, "keys"),
            ["Parley:AdminKey"] = AdminKey,
            ["Parley:Delivery:AttemptTimeout"] = "00:00:03",
            ["Parley:Delivery:FirstBackoff"] = "00:00:00.200",
            ["Parley:Delivery:MaxAttempts"] = "2",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) config[key] = value;
        var app = ParleyApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await app.StartAsync();
        var parley = new BrowserParley(app, simulator, folder);
        parley.BrandId = await parley.CreateBrandAsync("Parley Air");
        parley.XChannelId = await parley.CreateXChannelAsync(parley.BrandId);
        return parley;
    }

    public async Task<Guid> CreateBrandAsync(string name)
    {
        var created = await PostAsync("/api/v1/brands", new { name });
        return created.GetProperty("id").GetGuid();
    }

    public async Task<Guid> CreateXChannelAsync(Guid brandId, string accountId = XAccountId)
    {
        var created = await PostAsync("/api/v1/channels", new
        {
            kind = "x", name = "@" + XHandle, brandId,
            settings = new { accountId, consumerSecret = XSecret, accessToken = XToken, apiBaseUrl = Simulator.BaseAddress.ToString().TrimEnd('/'), mode = "webhook" },
        });
        return created.GetProperty("id").GetGuid();
    }

    /// <summary>Replaces the brand's triage settings (priority weights, topics, removal rules, patience window).</summary>
    public async Task PutTriageAsync(object settings)
    {
        var response = await Admin.PutAsJsonAsync($"/api/v1/brands/{BrandId}/triage", settings);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<Guid> CreateTeamAsync(string name, Guid? brandId = null)
    {
        var created = await PostAsync("/api/v1/teams", new { name, brandId = brandId ?? BrandId });
        return created.GetProperty("id").GetGuid();
    }

    /// <returns>The person's e-mail; the password is <see cref="Password"/>.</returns>
    public async Task<Person> CreatePersonAsync(string name, string email, string role = "agent", params Guid[] teamIds)
    {
        var created = await PostAsync("/api/v1/users", new { name, email, role, password = Password, teamIds });
        return new Person(created.GetProperty("user").GetProperty("id").GetGuid(), name, email);
    }

    /// <summary>A customer tweets at the brand (a signed Account Activity delivery, as X sends it);
    /// returns the conversation it landed in once Parley has processed it.</summary>
    public async Task<Guid> CustomerTweetsAsync(string text, SimXUser customer, string? inReplyTo = null, Guid? channelId = null,
        DateTimeOffset? at = null, string forAccount = XAccountId)
    {
        var id = Interlocked.Increment(ref _nextTweet).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = XPayloads.TweetCreate(forAccount, new SimTweetEvent(id, $"@{XHandle} {text}", customer, at ?? DateTimeOffset.UtcNow,
            inReplyTo, inReplyTo is null ? null : new SimXUser(XAccountId, XHandle, "Parley Air")));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/x/{channelId ?? XChannelId}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(XWebhookSigner.Header, XWebhookSigner.Sign(XSecret, body));
        using var anonymous = new HttpClient { BaseAddress = BaseAddress };
        var response = await anonymous.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"The webhook answered {(int)response.StatusCode}.");
        return await EventuallyAsync(async () =>
        {
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var conversation = await db.Messages.Where(m => m.ExternalId == id).Select(m => (Guid?)m.ConversationId).FirstOrDefaultAsync();
            return conversation;
        }, $"tweet {id} to be processed");
    }

    public async Task AssignAsync(Guid conversation, Guid? teamId, Guid? assigneeId = null)
    {
        var response = await Admin.PostAsJsonAsync($"/api/v1/conversations/{conversation}/assign", new { teamId, assigneeId });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        var response = await Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : struct
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < until)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
    }

    /// <summary>Signs in through the form, as a person would.</summary>
    public static async Task SignInAsync(IPage page, Person person, string returnTo = "/")
    {
        await page.GotoAsync(returnTo);
        await page.GetByLabel("E-mail").FillAsync(person.Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Simulator.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

public sealed record Person(Guid Id, string Name, string Email);
