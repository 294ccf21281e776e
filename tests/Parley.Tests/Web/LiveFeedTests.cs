using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Web;

public sealed class LiveFeedTests
{
    /// <summary>Reads a Server-Sent Events response into (type, data) pairs.</summary>
    private sealed class Stream : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Channel<(string Type, JsonElement Data)> _items = Channel.CreateUnbounded<(string, JsonElement)>();
        private readonly Task _reader;

        public Stream(HttpResponseMessage response) => _reader = ReadAsync(response);

        private async Task ReadAsync(HttpResponseMessage response)
        {
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                string? type = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) _items.Writer.TryWrite((type ?? "message", JsonDocument.Parse(line[6..]).RootElement.Clone()));
                }
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
        }

        /// <summary>The next item of <paramref name="type"/> matching <paramref name="match"/>, or null after the timeout.</summary>
        public async Task<JsonElement?> NextAsync(string type, Func<JsonElement, bool>? match = null, int timeoutMs = 10_000)
        {
            using var timeout = new CancellationTokenSource(timeoutMs);
            try
            {
                while (true)
                {
                    var (t, data) = await _items.Reader.ReadAsync(timeout.Token);
                    if (t == type && (match?.Invoke(data) ?? true)) return data;
                }
            }
            catch (OperationCanceledException) { return null; }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await _reader; } catch (OperationCanceledException) { }
            _stop.Dispose();
        }
    }

    private static async Task<Stream> ConnectAsync(Session session, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/live" + query);
        var response = await session.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"/api/v1/live answered {(int)response.StatusCode}");
        var stream = new Stream(response);
        Assert.NotNull(await stream.NextAsync("ready"));
        return stream;
    }

    /// <summary>Maria in Care, Sam in Billing, and a customer of Billing's (Priya, X user 7) who has written once.</summary>
    private static async Task<(Workspace W, Guid Billed, Guid Billing)> BillingAndCareAsync(TestParley parley)
    {
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Sam Carter", "sam@example.com", "agent", billing);
        var billed = await w.CustomerTweetsAsync("charged twice", "7", "priya");
        await w.AssignAsync(billed, billing);
        return (w, billed, billing);
    }

    private static Func<JsonElement, bool> About(Guid conversation) => e => e.GetProperty("subject").GetString() == $"conversations/{conversation}";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_page_hears_only_about_conversations_its_person_may_see(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var (w, billed, billing) = await BillingAndCareAsync(parley);

        await using var maria = await ConnectAsync(await w.SignInAsync("maria@example.com"));
        await using var sam = await ConnectAsync(await w.SignInAsync("sam@example.com"));

        // Billing's customer writes again: Sam hears it, Maria does not.
        await w.CustomerTweetsAsync("hello??", "7", "priya");
        Assert.NotNull(await sam.NextAsync("message.received", About(billed)));
        Assert.Null(await maria.NextAsync("message.received", About(billed), timeoutMs: 1_500));

        // A new customer (no team yet) is everyone's: both hear it, with the text.
        var fresh = await w.CustomerTweetsAsync("my bag!", "8", "ana");
        var heard = await maria.NextAsync("message.received", About(fresh));
        Assert.Contains("my bag!", heard!.Value.GetProperty("data").GetRawText(), StringComparison.Ordinal);
        Assert.NotNull(await sam.NextAsync("message.received", About(fresh)));

        // A change made through the API reaches pages within a second. (On PostgreSQL readers wait for
        // every older transaction in the cluster to finish, ADR 4, which parallel tests can stretch.)
        var limit = provider == TestDatabase.Sqlite ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        var started = DateTime.UtcNow;
        await parley.Client.PostAsync($"/api/v1/conversations/{fresh}/resolve", null);
        Assert.NotNull(await maria.NextAsync("conversation.resolved", About(fresh), timeoutMs: (int)limit.TotalMilliseconds));
        Assert.True(DateTime.UtcNow - started < limit);
    }

    private static Func<JsonElement, bool> HasRow(Guid conversation) =>
        m => m.GetProperty("rows").EnumerateArray().Any(r => r.GetProperty("item").GetProperty("id").GetGuid() == conversation);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_inbox_is_sent_the_rows_its_person_may_see_and_told_when_one_moves_away(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var (w, billed, billing) = await BillingAndCareAsync(parley);

        await using var maria = await ConnectAsync(await w.SignInAsync("maria@example.com"), "?rows=true");
        await using var sam = await ConnectAsync(await w.SignInAsync("sam@example.com"), "?rows=true");

        // Billing's customer writes again: Sam is sent the row as the inbox lists it, Maria nothing about it.
        await w.CustomerTweetsAsync("hello??", "7", "priya");
        // (An earlier batch may carry the row too, e.g. when the first burst's triage completes: the one after the
        // new message shows it.)
        bool ShowsHello(JsonElement r) => r.GetProperty("item").GetProperty("id").GetGuid() == billed
            && r.GetProperty("item").GetProperty("preview").GetString()!.Contains("hello??", StringComparison.Ordinal);
        var samRows = await sam.NextAsync("inbox.rows", m => m.GetProperty("rows").EnumerateArray().Any(ShowsHello));
        Assert.NotNull(samRows);
        var row = samRows!.Value.GetProperty("rows").EnumerateArray().Single(ShowsHello);
        Assert.Equal("Billing", row.GetProperty("item").GetProperty("teamName").GetString());
        Assert.Null(await maria.NextAsync("inbox.rows", HasRow(billed), timeoutMs: 1_500));

        // A new customer (no team yet) is everyone's: both are sent the row, marked as news; the events about it
        // are not sent as well (the row says it all).
        var fresh = await w.CustomerTweetsAsync("my bag!", "8", "ana");
        var mariaRows = await maria.NextAsync("inbox.rows", HasRow(fresh));
        Assert.NotNull(mariaRows);
        Assert.Contains(mariaRows!.Value.GetProperty("rows").EnumerateArray(), r => r.GetProperty("news").GetBoolean());
        Assert.NotNull(await sam.NextAsync("inbox.rows", HasRow(fresh)));
        Assert.Null(await maria.NextAsync("message.received", timeoutMs: 500));

        // Routed to Billing, it leaves Maria's sight: she is told to drop it (its id only), Sam gets its new row.
        await w.AssignAsync(fresh, billing);
        var gone = await maria.NextAsync("inbox.rows", m => m.GetProperty("gone").EnumerateArray().Any(g => g.GetGuid() == fresh));
        Assert.NotNull(gone);
        Assert.DoesNotContain(gone!.Value.GetProperty("rows").EnumerateArray(), r => r.GetProperty("item").GetProperty("id").GetGuid() == fresh);
        Assert.NotNull(await sam.NextAsync("inbox.rows", m => HasRow(fresh)(m)
            && m.GetProperty("rows").EnumerateArray().Any(r => r.GetProperty("item").GetProperty("teamName").GetString() == "Billing")));
    }

    [Fact]
    public async Task Presence_shows_who_has_a_conversation_open_and_who_is_typing()
    {
        await using var parley = await TestParley.StartAsync();
        var w = await Workspace.CreateAsync(parley);
        var care = await w.TeamAsync("Care");
        var billing = await w.TeamAsync("Billing");
        var maria = await w.PersonAsync("Maria Lopez", "maria@example.com", "agent", care);
        await w.PersonAsync("Lee Lead", "lee@example.com", "lead", care);
        await w.PersonAsync("Sam Carter", "sam@example.com", "agent", billing);
        var conversation = await w.CustomerTweetsAsync("help");
        await w.AssignAsync(conversation, care);

        var leeSession = await w.SignInAsync("lee@example.com");
        await using var lee = await ConnectAsync(leeSession);
        await using var sam = await ConnectAsync(await w.SignInAsync("sam@example.com"));
        var mariaSession = await w.SignInAsync("maria@example.com");
        var mariaPage = await ConnectAsync(mariaSession, $"?conversation={conversation}");

        bool Names(JsonElement p, string name, bool typing) => p.GetProperty("conversationId").GetGuid() == conversation
            && p.GetProperty("people").EnumerateArray().Any(x => x.GetProperty("name").GetString() == name && x.GetProperty("typing").GetBoolean() == typing);
        Assert.NotNull(await lee.NextAsync("presence", p => Names(p, "Maria Lopez", typing: false)));
        Assert.Null(await sam.NextAsync("presence", timeoutMs: 1_000)); // not his team's conversation

        Assert.Equal(System.Net.HttpStatusCode.NoContent,
            (await mariaSession.PostAsync($"/api/v1/presence/{conversation}/typing", new { typing = true })).StatusCode);
        Assert.NotNull(await lee.NextAsync("presence", p => Names(p, "Maria Lopez", typing: true)));

        await mariaPage.DisposeAsync(); // the page is closed
        Assert.NotNull(await lee.NextAsync("presence", p => p.GetProperty("people").GetArrayLength() == 0, timeoutMs: 5_000));
        _ = maria;
    }
}
