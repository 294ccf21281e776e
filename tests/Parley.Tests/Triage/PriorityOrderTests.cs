using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Triage;

/// <summary>Ranking by priority pages correctly: every conversation once, in order, whatever the page size.</summary>
public sealed class PriorityOrderTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pages_by_priority_hold_every_conversation_once_highest_first_oldest_waiting_first_on_ties(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var now = DateTimeOffset.UtcNow;
        var texts = new[]
        {
            "when do you open?", "stranded at the airport, flight cancelled", "when do you open?", "you charged me twice!!",
            "when do you open?", "stranded at the airport, flight cancelled", "my app is not working",
        };
        for (var i = 0; i < texts.Length; i++)
            await w.TweetAsync(Customers.Person((100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), $"c{i}"), texts[i], now.AddMinutes(-60 + i));

        foreach (var (path, list) in new[] { ("/api/v1/inbox?", "inbox"), ("/api/v1/conversations?sort=priority&", "conversations") })
        {
            var whole = Items(await parley.GetJsonAsync(path + "limit=200"));
            Assert.Equal(texts.Length, whole.Count);
            for (var i = 1; i < whole.Count; i++)
            {
                var (a, b) = (whole[i - 1], whole[i]);
                Assert.True(a.Ranked > b.Ranked || a.Ranked == b.Ranked && a.At <= b.At, $"{list}: row {i} is out of order");
            }
            Assert.Contains(whole, r => r.Ranked == whole[0].Ranked && r.Id != whole[0].Id); // ties exist and are ordered

            var paged = new List<Row>();
            string? cursor = null;
            do
            {
                var page = await parley.GetJsonAsync(path + "limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
                paged.AddRange(Items(page));
                cursor = page.GetProperty("nextCursor").GetString();
            } while (cursor is not null);
            Assert.Equal(whole.Select(r => r.Id), paged.Select(r => r.Id));
        }

        // A cursor of another order is refused, not misread.
        var recent = await parley.GetJsonAsync("/api/v1/conversations?limit=1");
        var wrong = await parley.Client.GetAsync($"/api/v1/conversations?sort=priority&cursor={recent.GetProperty("nextCursor").GetString()}");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await parley.Client.GetAsync("/api/v1/inbox?sort=loudest")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await parley.Client.GetAsync("/api/v1/conversations?sort=loudest")).StatusCode);
    }

    private sealed record Row(Guid Id, int Ranked, DateTimeOffset At);

    private static List<Row> Items(JsonElement page) => page.GetProperty("items").EnumerateArray()
        .Select(i => new Row(i.GetProperty("id").GetGuid(), i.GetProperty("rankedPriority").GetInt32(), i.GetProperty("lastMessageAt").GetDateTimeOffset())).ToList();
}
