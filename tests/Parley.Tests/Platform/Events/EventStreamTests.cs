using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Parley.Tests.Infrastructure;
using Parley.Tests.Platform.Apps;
using Parley.Tests.Web;

namespace Parley.Tests.Platform.Events;

/// <summary>Following the log live (SSE, WebSocket) and replaying it from a cursor give an app the same events.</summary>
public sealed class EventStreamTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Replay_from_a_cursor_returns_exactly_the_events_streamed_live_over_SSE_and_WebSocket(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var cursor = await EventScenario.CursorAsync(parley);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sse = new List<JsonNode>();
        var ws = new List<JsonNode>();
        var sseTask = ReadSseAsync(parley, $"/api/v1/events/stream?after={cursor}", sse, stop.Token);
        using var socket = await ConnectAsync(parley, $"/api/v1/events/ws?after={cursor}", TestParley.AdminKey);
        var wsTask = ReadWebSocketAsync(socket, ws, stop.Token);

        await EventScenario.RunAsync(w);
        var replayed = (await EventScenario.ReplayAsync(parley, cursor)).Select(e => JsonNode.Parse(e.GetRawText())!).ToList();
        Assert.True(replayed.Count > 15, $"Only {replayed.Count} events replayed");

        await UntilAsync(() => Count(sse) >= replayed.Count && Count(ws) >= replayed.Count, stop.Token);
        // A clean close: the server answers the client's close frame.
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await wsTask.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketState.Closed, socket.State);
        await stop.CancelAsync();
        await sseTask;

        // Same ids, same order, same bodies: live may have gone on past the replay (replies still failing), not less.
        AssertSame(replayed, Snapshot(sse));
        AssertSame(replayed, Snapshot(ws));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Filters_by_type_and_brand_apply_to_the_list_and_both_streams(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var otherBrand = await parley.CreateBrandAsync("Other");
        var otherChannel = await parley.CreateXChannelAsync(accountId: "123", brandId: otherBrand);
        await w.CustomerTweetsAsync("ours", "1", "ana");
        await w.CustomerTweetsAsync("theirs", "2", "ben", channel: otherChannel);

        var conversations = await EventScenario.ReplayAsync(parley, null, "&type=conversation.*,contact.created");
        Assert.NotEmpty(conversations);
        Assert.All(conversations, e => Assert.Matches("^(conversation\\..+|contact\\.created)$", e.GetProperty("type").GetString()!));
        var ours = await EventScenario.ReplayAsync(parley, null, $"&brandId={w.Brand}&type=message.received");
        Assert.Single(ours);
        Assert.Equal(w.Brand, ours[0].GetProperty("brandId").GetGuid());

        // A brand-limited app asking for another brand gets nothing of it.
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["events:read"], [w.Brand]);
        using var limited = AppKeys.ClientFor(parley, app.Key);
        Assert.Empty(await EventScenario.ReplayAsync(parley, null, $"&brandId={otherBrand}", limited));

        var streamed = new List<JsonNode>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sseTask = ReadSseAsync(parley, $"/api/v1/events/stream?type=message.*&brandId={otherBrand}", streamed, stop.Token);
        var viaSocket = new List<JsonNode>();
        using var socket = await ConnectAsync(parley, $"/api/v1/events/ws?type=message.received&brandId={otherBrand}", app.Key);
        var wsTask = ReadWebSocketAsync(socket, viaSocket, stop.Token);
        await UntilAsync(() => Count(streamed) >= 1, stop.Token);
        await Task.Delay(300); // anything else would have arrived with it
        await stop.CancelAsync();
        await Task.WhenAll(sseTask, wsTask);
        var only = Assert.Single(Snapshot(streamed));
        Assert.Equal("message.received", only["type"]!.GetValue<string>());
        Assert.Equal(otherBrand, Guid.Parse(only["brandId"]!.GetValue<string>()));
        Assert.Empty(Snapshot(viaSocket));

        var bad = await parley.Client.GetAsync("/api/v1/events?type=Conversation..*");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_cursor_is_a_400_problem_on_the_list_the_stream_and_the_socket()
    {
        await using var parley = await TestParley.StartAsync();
        var unknown = Guid.NewGuid();
        foreach (var path in new[] { $"/api/v1/events?after={unknown}", $"/api/v1/events/stream?after={unknown}" })
        {
            var response = await parley.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(parley, $"/api/v1/events/ws?after={unknown}", TestParley.AdminKey));
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_socket_refuses_a_caller_without_a_key_or_without_events_read()
    {
        await using var parley = await TestParley.StartAsync();
        var anonymous = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(parley, "/api/v1/events/ws", null));
        Assert.Contains("401", anonymous.Message, StringComparison.Ordinal);
        var app = await AppKeys.CreateAsync(parley, await AppKeys.OwnerAsync(parley), ["conversations:read"]);
        var unscoped = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(parley, "/api/v1/events/ws", app.Key));
        Assert.Contains("403", unscoped.Message, StringComparison.Ordinal);
        var plain = await parley.Client.GetAsync("/api/v1/events/ws");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
    }

    private static void AssertSame(List<JsonNode> replayed, List<JsonNode> live)
    {
        Assert.True(live.Count >= replayed.Count, $"Live delivered {live.Count} events, replay {replayed.Count}");
        for (var i = 0; i < replayed.Count; i++)
            Assert.True(JsonNode.DeepEquals(replayed[i], live[i]), $"Event {i} differs:\n replay {replayed[i].ToJsonString()}\n live   {live[i].ToJsonString()}");
    }

    private static int Count(List<JsonNode> list) { lock (list) return list.Count; }

    private static List<JsonNode> Snapshot(List<JsonNode> list) { lock (list) return [.. list]; }

    private static async Task UntilAsync(Func<bool> done, CancellationToken ct)
    {
        while (!done()) await Task.Delay(25, ct);
    }

    private static async Task ReadSseAsync(TestParley parley, string path, List<JsonNode> into, CancellationToken ct)
    {
        try
        {
            using var response = await parley.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) lock (into) into.Add(JsonNode.Parse(line["data: ".Length..])!);
        }
        catch (OperationCanceledException) { }
    }

    private static async Task<WebSocket> ConnectAsync(TestParley parley, string path, string? key)
    {
        var client = parley.App.GetTestServer().CreateWebSocketClient();
        if (key is not null) client.ConfigureRequest = r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key).ToString();
        return await client.ConnectAsync(new Uri("ws://localhost" + path), CancellationToken.None);
    }

    private static async Task ReadWebSocketAsync(WebSocket socket, List<JsonNode> into, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, ct);
                    message.Write(buffer, 0, received.Count);
                } while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close) return;
                Assert.Equal(WebSocketMessageType.Text, received.MessageType);
                lock (into) into.Add(JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
    }
}
