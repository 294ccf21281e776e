using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Parley.Simulator;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

/// <summary>Many agents' inboxes open on a real server while a burst of customers write: every page
/// must learn of every post, the way the inbox does it (the live stream names the conversation, the page
/// asks <c>/api/v1/inbox?ids=</c> for the rows, and reloads its list when told to resync). The workspace
/// benchmark once ended with posts missing from agents' lists (docs/adr/0020).</summary>
public sealed class LiveFanOutTests
{
    private const int Agents = 12;
    private const int Posts = 120;

    /// <summary>An inbox page reduced to its protocol: which conversations its list has shown.</summary>
    private sealed class InboxPage : IAsyncDisposable
    {
        private readonly Session _session;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<Guid, bool> _heard = new();
        private readonly ConcurrentDictionary<Guid, bool> _listed = new();
        private Task _reading = Task.CompletedTask;

        public int Resyncs;

        private InboxPage(Session session) => _session = session;

        public static async Task<InboxPage> OpenAsync(Session session)
        {
            var page = new InboxPage(session);
            var response = await session.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/live"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && line != "event: ready") { }
            page._reading = page.ReadAsync(response, reader);
            return page;
        }

        private async Task ReadAsync(HttpResponseMessage response, StreamReader reader)
        {
            using var _ = response;
            using var __ = reader;
            try
            {
                string? type = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                    if (type == "resync" && line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref Resyncs);
                        await ListAsync("/api/v1/inbox?limit=200");
                    }
                    if (type != "message.received" || !line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                    using var doc = JsonDocument.Parse(line[6..]);
                    var subject = doc.RootElement.GetProperty("subject").GetString()!;
                    _heard[Guid.Parse(subject["conversations/".Length..])] = true;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException) { }
        }

        /// <summary>The inbox's refresh: what it heard about, asked for by id, 100 at a time.</summary>
        public async Task RefreshAsync()
        {
            foreach (var chunk in _heard.Keys.Where(id => !_listed.ContainsKey(id)).Chunk(Parley.Web.Inbox.MaxIds))
                await ListAsync($"/api/v1/inbox?limit=200&ids={string.Join(',', chunk)}");
        }

        private async Task ListAsync(string path)
        {
            var page = await _session.GetJsonAsync(path);
            foreach (var item in page.GetProperty("items").EnumerateArray()) _listed[item.GetProperty("id").GetGuid()] = true;
        }

        public bool Lists(IEnumerable<Guid> conversations) => conversations.All(_listed.ContainsKey);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _reading;
            _stop.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_open_inbox_learns_of_every_post_in_a_burst(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider, kestrel: true);
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var pages = new List<InboxPage>();
        for (var i = 0; i < Agents; i++)
        {
            await w.PersonAsync($"Agent {i}", $"agent{i}@example.com", "agent", care);
            pages.Add(await InboxPage.OpenAsync(await w.SignInAsync($"agent{i}@example.com")));
        }

        // A burst: many customers at once, each acknowledged before processing has caught up.
        var ids = Enumerable.Range(0, Posts).Select(n => (8_100_000 + n).ToString(CultureInfo.InvariantCulture)).ToList();
        var acknowledged = await Task.WhenAll(ids.Select(async (id, n) =>
        {
            var body = XPayloads.TweetCreate("123", new SimTweetEvent(id, $"@acme my bag is lost, number {n}",
                new SimXUser((5_000 + n).ToString(CultureInfo.InvariantCulture), $"customer{n}", $"Customer {n}"), DateTimeOffset.UtcNow));
            return (await parley.PostXWebhookAsync(w.Channel, body, XWebhookSigner.Sign("DDD", body))).StatusCode;
        }));
        Assert.All(acknowledged, status => Assert.Equal(HttpStatusCode.OK, status));
        await parley.DrainInboundAsync(TimeSpan.FromSeconds(60));
        var conversations = await parley.WithDbAsync(db => Task.FromResult(
            db.Messages.Where(m => ids.Contains(m.ExternalId!)).Select(m => m.ConversationId).Distinct().ToList()));
        Assert.Equal(Posts, conversations.Count);

        try
        {
            // Generous: this is about every page getting every post, not about speed (that is bench/'s job).
            var until = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < until && !pages.All(p => p.Lists(conversations)))
            {
                foreach (var page in pages) await page.RefreshAsync();
                await Task.Delay(100);
            }
            for (var i = 0; i < pages.Count; i++)
                Assert.True(pages[i].Lists(conversations), $"Agent {i}'s inbox is missing {conversations.Count(c => !pages[i].Lists([c]))} of {Posts} posts.");
            // A burst of this size fits every page's queue: nobody had to reload.
            Assert.All(pages, p => Assert.Equal(0, p.Resyncs));
        }
        finally
        {
            foreach (var page in pages) await page.DisposeAsync();
        }
    }
}
