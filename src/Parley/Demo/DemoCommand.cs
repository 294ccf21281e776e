using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Keys;
using Parley.Platform.People;
using Parley.Simulator;

namespace Parley.Demo;

/// <summary><c>parley demo</c>: Parley on SQLite, the network simulator beside it, a demo brand with an X
/// and a Meta channel pointed at the simulator, and real customer-support threads replayed as signed webhooks.</summary>
public static class DemoCommand
{
    private const string XAccountId = "900000000000000001";
    private const string XHandle = "ParleyAir";
    private const string MetaPageId = "100200300400500";

    public static async Task RunAsync(string[] args)
    {
        var app = ParleyApp.Build(args, b =>
        {
            if (b.Configuration["urls"] is null && b.Configuration["ASPNETCORE_URLS"] is null)
                b.WebHost.UseUrls("http://127.0.0.1:5080");
            // The demo's webhook receivers run on this machine, which production refuses (docs/webhooks.md).
            if (b.Configuration["Parley:Webhooks:AllowPrivateAddresses"] is null)
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Parley:Webhooks:AllowPrivateAddresses"] = "true" });
        });
        var simulatorUrl = app.Configuration["Parley:Demo:SimulatorUrl"] ?? "http://127.0.0.1:5081";
        var speedup = double.TryParse(app.Configuration["Parley:Demo:Speedup"], out var s) ? s : 600;
        await using var simulator = await NetworkSimulator.StartAsync(simulatorUrl);

        await app.StartAsync();
        var baseUrl = new Uri(app.Urls.First());
        var seeded = await SeedAsync(app.Services, simulator);

        Console.WriteLine($"""

            Parley demo is running.
              Server           {baseUrl}
              API reference    {new Uri(baseUrl, "/docs")}
              Admin API key    {seeded.AdminKey}
              Workspace        {baseUrl} (sign in as one of these; the password of each is {DemoPassword})
            {string.Join(Environment.NewLine, DemoPeople.Select(p => $"                 {p.Email,-24} {p.Role.ToString().ToLowerInvariant(),-7} {p.Name}{(p.Team is null ? "" : ", team " + p.Team)}"))}
              Simulator        {simulator.BaseAddress} (recorded outbound calls: {new Uri(simulator.BaseAddress, "/_sim/calls")})

            Try:
              curl -H "Authorization: Bearer {seeded.AdminKey}" {new Uri(baseUrl, "/api/v1/conversations?status=open&limit=5")}

            Replaying real customer-support threads (TWCS) at {speedup}x. Ctrl+C stops.

            """);

        simulator.RegisterXAccount("demo-x-token", XAccountId);
        simulator.RegisterMetaPage("demo-meta-token", MetaPageId);
        var dataset = Path.Combine(AppContext.BaseDirectory, "datasets", "twcs", "twcs_first5000_rows_normalized.csv");
        // The most recent threads sit close together in time, so the inbox fills within seconds.
        var threads = TwcsReplayer.Load(dataset, maxThreads: 0).OrderByDescending(t => t.StartedAt).Take(300).OrderBy(t => t.StartedAt).ToList();
        var target = new ReplayTarget(baseUrl, seeded.XChannel, seeded.XSecret, XAccountId, XHandle, seeded.MetaChannel, seeded.MetaSecret, MetaPageId);
        var replay = new TwcsReplayer().ReplayAsync(target, threads, speedup, app.Lifetime.ApplicationStopping);

        await app.WaitForShutdownAsync();
        try { await replay; } catch (OperationCanceledException) { }
    }

    /// <summary>The demo's people. Their password is reset to <see cref="DemoPassword"/> at every start, so the printed one always works.</summary>
    private static readonly (string Name, string Email, UserRole Role, string? Team)[] DemoPeople =
    [
        ("Ada Admin", "admin@parley.example", UserRole.Admin, null),
        ("Lee Lead", "lead@parley.example", UserRole.Lead, "Care"),
        ("Maria Lopez", "maria@parley.example", UserRole.Agent, "Care"),
        ("Sam Carter", "sam@parley.example", UserRole.Agent, "Billing"),
        ("Ava Auditor", "auditor@parley.example", UserRole.Auditor, null),
    ];

    private const string DemoPassword = "parley-demo";

    private sealed record Seeded(string AdminKey, Guid XChannel, string XSecret, Guid MetaChannel, string MetaSecret);

    /// <summary>Creates the demo brand and channels once; later runs reuse them with their secrets.</summary>
    private static async Task<Seeded> SeedAsync(IServiceProvider services, NetworkSimulator simulator)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var directory = scope.ServiceProvider.GetRequiredService<ChannelDirectory>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var config = scope.ServiceProvider.GetRequiredService<IConfiguration>();
        var now = clock.GetUtcNow();

        var brand = await db.Brands.FirstOrDefaultAsync(b => b.Name == "Parley Air");
        if (brand is null)
        {
            brand = new Brand { Name = "Parley Air", CreatedAt = now };
            db.Brands.Add(brand);
        }
        var api = simulator.BaseAddress.ToString().TrimEnd('/');
        var x = await EnsureChannelAsync(db, directory, brand.Id, "x", "@" + XHandle, new JsonObject
        {
            ["accountId"] = XAccountId, ["apiBaseUrl"] = api, ["mode"] = "webhook",
            ["consumerSecret"] = Secret(), ["accessToken"] = "demo-x-token",
        }, now);
        var meta = await EnsureChannelAsync(db, directory, brand.Id, "meta", "Parley Air on Facebook", new JsonObject
        {
            ["pageId"] = MetaPageId, ["apiBaseUrl"] = api,
            ["appSecret"] = Secret(), ["verifyToken"] = Secret(), ["pageAccessToken"] = "demo-meta-token",
        }, now);

        await EnsurePeopleAsync(db, scope.ServiceProvider.GetRequiredService<SignIn>(), brand.Id, now);
        // A brand topic, so the demo shows one at work: lost bags go up the inbox.
        if (!await db.TriageSettings.AnyAsync(t => t.BrandId == brand.Id))
            db.TriageSettings.Add(new Triage.TriageSettingsRecord
            {
                BrandId = brand.Id, Version = Triage.TriageSettingsRecord.DefaultVersion + 1, UpdatedAt = now, UpdatedBy = "demo",
                Settings = new Triage.BrandTriageSettings
                {
                    Topics = [new Triage.TopicRule("Lost baggage", ["lost bag*", "lost luggage", "baggage", "suitcase"], ["my bag never arrived"], 10)],
                }.ToJson(),
            });

        var adminKey = config["Parley:AdminKey"];
        if (string.IsNullOrEmpty(adminKey))
        {
            var (entity, key) = ApiKey.Create("demo admin", "admin", now);
            db.ApiKeys.Add(entity);
            adminKey = key;
        }
        await db.SaveChangesAsync();
        await DemoPromises.EnsureAsync(db, brand.Id, now);
        var xRuntime = await directory.FindAsync(x.Id, default);
        var metaRuntime = await directory.FindAsync(meta.Id, default);
        return new Seeded(adminKey, x.Id, xRuntime!.X!.ConsumerSecret, meta.Id, metaRuntime!.Meta!.AppSecret);
    }

    private static async Task<Channel> EnsureChannelAsync(ParleyDb db, ChannelDirectory directory, Guid brandId, string kind,
        string name, JsonObject settings, DateTimeOffset now)
    {
        var existing = await db.Channels.FirstOrDefaultAsync(c => c.BrandId == brandId && c.Kind == kind);
        if (existing is not null)
        {
            // The simulator may listen elsewhere this time; keep the stored secrets.
            var shown = JsonNode.Parse(existing.Settings)!.AsObject();
            shown["apiBaseUrl"] = settings["apiBaseUrl"]!.GetValue<string>();
            existing.Settings = shown.ToJsonString();
            await db.SaveChangesAsync();
            directory.Forget(existing.Id);
            return existing;
        }
        var (publicSettings, secrets) = ChannelSettingsParser.Split(kind, settings);
        var channel = new Channel { BrandId = brandId, Kind = kind, Name = name, Settings = publicSettings, ProtectedSecrets = directory.Protect(secrets), CreatedAt = now };
        db.Channels.Add(channel);
        return channel;
    }

    private static async Task EnsurePeopleAsync(ParleyDb db, SignIn signIn, Guid brandId, DateTimeOffset now)
    {
        var teams = new Dictionary<string, Team>();
        foreach (var name in DemoPeople.Where(p => p.Team is not null).Select(p => p.Team!).Distinct())
        {
            var team = await db.Teams.FirstOrDefaultAsync(t => t.BrandId == brandId && t.Name == name);
            if (team is null) db.Teams.Add(team = new Team { BrandId = brandId, Name = name, CreatedAt = now });
            teams[name] = team;
        }
        foreach (var (name, email, role, teamName) in DemoPeople)
        {
            var normalized = SignIn.Normalize(email);
            var user = await db.Users.Include(u => u.Teams).Where(u => u.NormalizedEmail == normalized).OrderBy(u => u.Id).FirstOrDefaultAsync();
            if (user is null)
            {
                user = new User { Name = name, Email = email, NormalizedEmail = normalized, Role = role, CreatedAt = now };
                db.Users.Add(user);
            }
            signIn.SetPassword(user, DemoPassword);
            user.SignedIn();
            user.DisabledAt = null;
            if (teamName is not null && user.Teams.All(m => m.TeamId != teams[teamName].Id))
                user.Teams.Add(new TeamMember { TeamId = teams[teamName].Id, UserId = user.Id });
        }
    }

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
