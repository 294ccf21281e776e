using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class EventLogTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_reader_following_the_log_sees_every_event_once_even_when_transactions_commit_out_of_order(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var before = await parley.WithDbAsync(db => db.Events.CountAsync());
        var last = await parley.WithDbAsync(db => db.Events.OrderByDescending(e => e.Seq).Select(e => (Guid?)e.Id).FirstOrDefaultAsync());
        const int writers = 8, perWriter = 25;
        var seen = new List<Guid>();
        using var done = new CancellationTokenSource();

        // The reader follows the log while writers commit; some writers hold their transaction open
        // after taking a sequence number, so later numbers commit first.
        var reader = Task.Run(async () =>
        {
            var cursor = last;
            while (true)
            {
                var finished = done.IsCancellationRequested;
                await using var scope = parley.Scope();
                var batch = await EventReader.ReadAfterAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), cursor, 50, CancellationToken.None);
                lock (seen) foreach (var e in batch) { seen.Add(e.Id); cursor = e.Id; }
                if (batch.Count == 0)
                {
                    if (finished) return;
                    await Task.Delay(5);
                }
            }
        });

        var written = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var ids = new List<Guid>();
            for (var i = 0; i < perWriter; i++)
            {
                await using var scope = parley.Scope();
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                await using var tx = await db.Database.BeginTransactionAsync();
                var e = db.Append("test.happened", $"tests/{w}", null, new { w, i }, DateTimeOffset.UtcNow);
                await db.SaveChangesAsync();
                if ((w + i) % 3 == 0) await Task.Delay(Random.Shared.Next(1, 15));
                await tx.CommitAsync();
                ids.Add(e.Id);
            }
            return ids;
        })));
        // On PostgreSQL a reader is held back while any older transaction on the server is open (ADR 4), and tests
        // share the server: wait until every event has been read, or long enough to call it lost.
        var expected = written.SelectMany(x => x).ToHashSet();
        for (var until = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < until; await Task.Delay(20))
            lock (seen) if (expected.IsSubsetOf(seen)) break;
        await done.CancelAsync();
        await reader;

        var ours = seen.Where(expected.Contains).ToList();
        Assert.Equal(ours.Count, ours.Distinct().Count());
        Assert.Equal(expected.Count, ours.Count);
        Assert.Equal(before + writers * perWriter, await parley.WithDbAsync(db => db.Events.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Paging_with_the_last_event_id_continues_where_the_previous_page_ended(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        for (var i = 0; i < 5; i++) await parley.CreateBrandAsync($"Brand {i}");
        await parley.AllEventsAsync(); // on PostgreSQL, until no older transaction holds them back

        var first = await parley.GetJsonAsync("/api/v1/events?limit=3");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await parley.GetJsonAsync($"/api/v1/events?limit=3&after={cursor}");

        var names = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Where(e => e.GetProperty("type").GetString() == "brand.created")
            .Select(e => e.GetProperty("data").GetProperty("name").GetString()).ToList();
        Assert.Equal(["Brand 0", "Brand 1", "Brand 2", "Brand 3", "Brand 4"], names);
    }

    [Fact]
    public async Task An_unknown_cursor_is_a_problem_not_an_empty_page()
    {
        await using var parley = await TestParley.StartAsync();
        var response = await parley.Client.GetAsync($"/api/v1/events?after={Guid.NewGuid()}");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_live_stream_delivers_new_events_and_resumes_after_Last_Event_ID()
    {
        await using var parley = await TestParley.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var firstBrand = await parley.CreateBrandAsync("Before the stream");
        var resumeFrom = (await parley.GetJsonAsync("/api/v1/events")).GetProperty("nextCursor").GetString();
        await parley.CreateBrandAsync("While away");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream");
        request.Headers.Add("Last-Event-ID", resumeFrom);
        using var response = await parley.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var names = new List<string>();
        var live = Task.Run(async () => { await Task.Delay(200); await parley.CreateBrandAsync("Live"); });
        while (names.Count < 2)
        {
            var line = await stream.ReadLineAsync(cts.Token);
            if (line is null) break;
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var e = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            if (e.GetProperty("type").GetString() == "brand.created") names.Add(e.GetProperty("data").GetProperty("name").GetString()!);
        }
        await live;

        Assert.NotEqual(Guid.Empty, firstBrand);
        Assert.Equal(["While away", "Live"], names);
    }
}
