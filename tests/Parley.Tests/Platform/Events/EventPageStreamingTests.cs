using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Platform.Events;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform.Events;

/// <summary>GET /api/v1/events writes its page row by row from the database reader (ADR 22): what an app receives
/// must still be exactly the documented <see cref="EventPage"/>, however large the page.</summary>
public sealed class EventPageStreamingTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_streamed_page_is_byte_for_byte_the_serialized_EventPage_even_past_several_flushes(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var cursor = await EventScenario.CursorAsync(parley);
        var brand = Guid.CreateVersion7();
        const int count = 600; // about 150 KB of JSON: several 32 KB flushes
        await parley.WithDbAsync(async db =>
        {
            for (var i = 0; i < count; i++)
                db.Append("test.streamed", $"tests/{i}", i % 3 == 0 ? null : brand,
                    new { i, text = "caf\u00e9 \"quoted\" <b> & \u2028 \U0001F600", padding = new string('x', 100) }, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });

        // PostgreSQL holds events back while an older transaction on the server is still open (ADR 4).
        string body = "";
        for (var attempt = 0; attempt < 100 && Items(body) < count; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            body = await parley.Client.GetStringAsync($"/api/v1/events?type=test.streamed&limit=10000" + (cursor is null ? "" : "&after=" + cursor));
        }

        var stored = await parley.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.Type == "test.streamed").OrderBy(e => e.Seq).ToListAsync());
        Assert.Equal(count, stored.Count);
        await using var scope = parley.Scope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        // The cursor is the last row read, which may be another type's event (the filter skips it, the cursor does not).
        var nextCursor = JsonDocument.Parse(body).RootElement.GetProperty("nextCursor").GetGuid();
        var expected = JsonSerializer.Serialize(new EventPage(stored.Select(EventDto.From).ToList(), nextCursor), options);
        Assert.Equal(expected, body);
        Assert.Contains(stored[^1].Id.ToString(), body);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_page_at_the_end_of_the_log_is_empty_and_keeps_the_cursor(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        // The newest event is the cursor: it exists (so it is not an unknown cursor) and nothing follows it.
        var cursor = (await parley.WithDbAsync(async db =>
        {
            var e = db.Append("test.last", "tests/last", null, new { last = true }, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            return e.Id;
        })).ToString();
        var page = JsonDocument.Parse(await parley.Client.GetStringAsync($"/api/v1/events?after={cursor}&limit=10000")).RootElement;
        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
        // An app polling at the end of the log keeps its place: the cursor is echoed, never reset to null.
        Assert.Equal(cursor, page.GetProperty("nextCursor").GetString());
    }

    private static int Items(string body) =>
        body.Length == 0 ? -1 : JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength();
}
