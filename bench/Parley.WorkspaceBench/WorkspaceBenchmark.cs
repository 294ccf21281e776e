using System.Globalization;
using System.Runtime.InteropServices;
using Parley.BenchKit;

namespace Parley.WorkspaceBench;

/// <summary>Issue 3's benchmark. 1. The baseline page in Chromium; 2. Parley with N conversations:
/// the inbox and a conversation in Chromium; 3. live fan-out to the baseline's clients; 4. the same
/// through Parley to signed-in agents, with Parley's memory sampled throughout. Markdown on stdout.</summary>
public static class WorkspaceBenchmark
{
    private const string Password = "workspace bench password";
    private const string XAccount = "910000000000000001";
    private const string LiveAccount = "910000000000000002";
    private const string XSecret = "workspace-bench-secret";

    public static async Task<int> RunAsync(WorkspaceOptions o)
    {
        Say($"Workspace benchmark: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, database {o.Database}, "
            + $"{o.Conversations:N0} conversations, {o.Agents} agents ({o.BrowserAgents} in Chromium), {o.Rate:0} posts/s for {o.Seconds} s.");
        // The machine's load is printed beside the results: wall-clock times mean little on a busy machine.
        var loadAtStart = File.ReadAllText("/proc/loadavg").Trim();
        var texts = Seeder.Texts().Customers;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var report = new WorkspaceReport(o);

        Say("1/4 baseline page in Chromium ...");
        await using var baseline = await BaselineSite.StartAsync(texts);
        {
            var context = await NewContextAsync(browser);
            var page = await context.NewPageAsync();
            report.BaselinePage = await PageTimings.MeasureAsync(page, "inbox", o.Loads, _ => baseline.Url.ToString());
            await context.CloseAsync();
            Say($"    first {report.BaselinePage.First:0.0} ms, then {report.BaselinePage.Warm.Summary()}");
        }

        Say("2/4 Parley: seeding, then the inbox and conversations in Chromium ...");
        await using var parley = await ParleyProcess.StartAsync(o.IsPostgres ? o.Postgres : null);
        var brandId = (await parley.PostAsync("/api/v1/brands", new { name = "Parley Air" })).GetProperty("id").GetGuid();
        var channelId = await CreateXChannelAsync(parley, brandId, "@ParleyAir", XAccount);
        var teamId = (await parley.PostAsync("/api/v1/teams", new { name = "Care", brandId })).GetProperty("id").GetGuid();
        var emails = new List<string>();
        for (var i = 0; i < o.Agents; i++)
        {
            var email = $"agent{i}@parley.example";
            await parley.PostAsync("/api/v1/users", new { name = $"Agent {i}", email, role = "agent", password = Password, teamIds = new[] { teamId } });
            emails.Add(email);
        }
        var seeded = await Seeder.SeedAsync(parley.Database, brandId, channelId, o.Conversations);
        report.SeedSeconds = seeded.Took.TotalSeconds;
        Say($"    seeded {o.Conversations:N0} conversations ({seeded.OpenConversations.Count:N0} open) in {seeded.Took.TotalSeconds:0.0} s; Parley uses {parley.Memory().Now:0} MiB");
        {
            var context = await NewContextAsync(browser);
            var page = await context.NewPageAsync();
            await PageTimings.SignInAsync(page, parley.Url, emails[0], Password);
            report.Inbox = await PageTimings.MeasureAsync(page, "inbox", o.Loads, _ => new Uri(parley.Url, "/").ToString());
            Say($"    inbox: first {report.Inbox.First:0.0} ms, then {report.Inbox.Warm.Summary()}");
            var open = seeded.OpenConversations;
            report.Conversation = await PageTimings.MeasureAsync(page, "conversation", o.Loads,
                i => new Uri(parley.Url, $"/conversations/{open[i * 7919 % open.Count]}").ToString());
            Say($"    conversation: first {report.Conversation.First:0.0} ms, then {report.Conversation.Warm.Summary()}");
            await context.CloseAsync();
        }

        Say($"3/4 baseline live fan-out to {o.Agents} clients ...");
        {
            var agents = new List<IAgent>();
            for (var i = 0; i < o.Agents; i++)
                agents.Add(i < o.BrowserAgents
                    ? await BrowserAgent.OpenAsync(await NewContextAsync(browser), baseline.Url.ToString())
                    : await StreamClient.ConnectAsync(baseline.Url));
            using var http = new HttpClient { BaseAddress = baseline.Url };
            var browserCpuBefore = ParleyProcess.DescendantsCpuTime(except: parley.Pid);
            report.BaselineLive = await LiveRun.RunAsync(agents, new PostGenerator(http, texts), o.Rate, o.Seconds, (_, text) => PostGenerator.Plain(text));
            if (o.BrowserAgents > 0)
                report.BaselineBrowserCpuMsPerPostPerPage = (ParleyProcess.DescendantsCpuTime(except: parley.Pid) - browserCpuBefore).TotalMilliseconds
                    / Math.Max(1, report.BaselineLive.Acked) / o.BrowserAgents;
            foreach (var a in agents) await a.DisposeAsync();
            Say($"    in every client's list: {report.BaselineLive.EveryAgent.Summary()}; {report.BaselineLive.MissingSomewhere} missing somewhere");
        }

        Say($"4/4 Parley live: {o.Agents} signed-in agents, {o.Rate:0} posts/s ...");
        {
            var liveChannel = await CreateXChannelAsync(parley, brandId, "@ParleyAirHelp", LiveAccount);
            var filters = $"status=open&channel={liveChannel}";
            var agents = new List<IAgent>();
            for (var i = 0; i < o.Agents; i++)
            {
                if (i < o.BrowserAgents)
                {
                    var context = await NewContextAsync(browser);
                    var page = await context.NewPageAsync();
                    await PageTimings.SignInAsync(page, parley.Url, emails[i], Password);
                    await page.CloseAsync();
                    agents.Add(await BrowserAgent.OpenAsync(context, new Uri(parley.Url, "/?" + filters).ToString()));
                }
                else agents.Add(await InboxClient.SignInAsync(parley.Url, emails[i], Password, liveChannel));
            }
            using var sampling = new CancellationTokenSource();
            var peakDuringRun = 0.0;
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakDuringRun = Math.Max(peakDuringRun, parley.Memory().Now);
                    try { await Task.Delay(200, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            using var http = new HttpClient { BaseAddress = parley.Url };
            var cpuBefore = parley.CpuTime();
            var browserCpuBefore = ParleyProcess.DescendantsCpuTime(except: parley.Pid);
            report.ParleyLive = await LiveRun.RunAsync(agents, new PostGenerator(http, texts), o.Rate, o.Seconds,
                (n, text) => PostGenerator.Tweet(liveChannel, LiveAccount, XSecret, n, text));
            report.CpuMsPerPost = (parley.CpuTime() - cpuBefore).TotalMilliseconds / Math.Max(1, report.ParleyLive.Acked);
            if (o.BrowserAgents > 0)
                report.BrowserCpuMsPerPostPerPage = (ParleyProcess.DescendantsCpuTime(except: parley.Pid) - browserCpuBefore).TotalMilliseconds
                    / Math.Max(1, report.ParleyLive.Acked) / o.BrowserAgents;
            await sampling.CancelAsync();
            await sampler;
            report.MemoryDuringLive = peakDuringRun;
            report.MemoryPeak = parley.Memory().Peak;
            foreach (var a in agents) await a.DisposeAsync();
            Say($"    in every agent's list: {report.ParleyLive.EveryAgent.Summary()}; {report.ParleyLive.MissingSomewhere} missing somewhere; "
                + $"Parley's memory peaked at {peakDuringRun:0} MiB during the run ({report.MemoryPeak:0} MiB since start); CPU {report.CpuMsPerPost:0.0} ms per post, Chromium {report.BrowserCpuMsPerPostPerPage:0.0} ms per post per page");
        }

        report.LoadAverage = (loadAtStart, File.ReadAllText("/proc/loadavg").Trim());
        Console.WriteLine(report.ToMarkdown());
        return report.AllMet ? 0 : 1;
    }

    private static async Task<Guid> CreateXChannelAsync(ParleyServerProcess parley, Guid brandId, string name, string accountId) =>
        (await parley.PostAsync("/api/v1/channels", new
        {
            kind = "x", name, brandId,
            // Nothing is sent during the benchmark; the address only has to be well formed.
            settings = new { accountId, consumerSecret = XSecret, accessToken = "unused", apiBaseUrl = "http://127.0.0.1:9", mode = "webhook" },
        })).GetProperty("id").GetGuid();

    private static Task<IBrowserContext> NewContextAsync(IBrowser browser) =>
        browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });

    private static void Say(string line) => Console.Error.WriteLine(line);
}
