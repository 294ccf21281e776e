using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Tests.Channels.Meta;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("x")]
    [InlineData("meta")]
    public async Task A_signed_body_that_is_not_JSON_is_refused_with_a_problem_and_quarantined(string kind)
    {
        await using var parley = await TestParley.StartAsync();
        var body = TestParley.Utf8("{\"for_user_id\":\"123\", this is not json");

        using var response = await PostSignedAsync(parley, kind, body);

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", detail, StringComparison.Ordinal);
        await AssertQuarantinedOnlyAsync(parley, detail);
    }

    [Theory]
    [InlineData("x", "tweet_create_events is an object", "'$.tweet_create_events' must be an array")]
    [InlineData("x", "tweet id_str is a fraction", "'$.tweet_create_events[0].id_str' must be an id")]
    [InlineData("x", "tweet without any id", "'$.tweet_create_events[0].id'")]
    [InlineData("x", "tweet user is a string", "'$.tweet_create_events[0].user' must be an object")]
    [InlineData("x", "direct message without message_create", "'$.direct_message_events[0].message_create' must be an object")]
    [InlineData("x", "body is an array", "must be a JSON object")]
    [InlineData("meta", "entry is an object", "'$.entry' must be an array")]
    [InlineData("meta", "message without a sender", "'$.entry[0].messaging[0].sender' must be an object")]
    [InlineData("meta", "message mid is a boolean", "'$.entry[0].messaging[0].message.mid' must be an id")]
    public async Task A_signed_body_with_wrong_field_types_is_refused_and_quarantined(string kind, string @case, string expected)
    {
        await using var parley = await TestParley.StartAsync();

        using var response = await PostSignedAsync(parley, kind, WrongTypes(@case));

        var detail = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        await AssertQuarantinedOnlyAsync(parley, detail);
    }

    [Theory]
    [InlineData("x", "{ \"for_user_id\" : \"123\",\n  \"favorite_events\": [{\"id\":\"f1\",\"created_at\":\"Mon Mar 04 10:00:00 +0000 2024\",\"favorited_status\":{\"id_str\":\"1\",\"text\":\"caf\\u00e9 ☕ <3\"}}]}", 1)]
    [InlineData("x", "{\"for_user_id\":\"123\",\"whatever_events\":[{\"a\":1},{\"b\":\"ünïcödé\"}]}  ", 2)]
    [InlineData("meta", "{\"object\":\"page\",\"entry\":[{\"id\":\"111899832631525\",\"time\":1700000000000,\"messaging\":[{\"sender\":{\"id\":\"77\"},\"recipient\":{\"id\":\"111899832631525\"},\"timestamp\":1700000000000,\"brand_new_thing\":{\"emoji\":\"🦜\"}}]}]}", 1)]
    public async Task A_well_formed_event_of_an_unknown_type_is_acknowledged_kept_raw_and_counted(string kind, string json, int unhandled)
    {
        await using var parley = await TestParley.StartAsync();
        var body = TestParley.Utf8(json);

        using var response = await PostSignedAsync(parley, kind, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await parley.DrainInboundAsync();

        var id = await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Single().Id));
        var raw = await parley.GetJsonAsync($"/api/v1/inbound/{id}");
        Assert.Equal(json, raw.GetProperty("body").GetString());
        Assert.Equal(body.Length, raw.GetProperty("summary").GetProperty("bytes").GetInt32());
        Assert.Equal("unhandled", raw.GetProperty("summary").GetProperty("status").GetString());
        var stats = await parley.GetJsonAsync("/api/v1/inbound/stats");
        Assert.Equal(unhandled, stats.GetProperty("unhandledEvents").GetInt32());
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        Assert.Empty((await parley.GetJsonAsync("/api/v1/inbound/quarantine")).EnumerateArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_size_limit_is_refused_with_413_and_nothing_is_stored(bool chunked)
    {
        await using var parley = await TestParley.StartAsync(settings: new Dictionary<string, string?> { ["Parley:Ingest:MaxBodyBytes"] = "1000" });
        var channel = await parley.CreateXChannelAsync();
        var small = TweetDelivery(Tweet("1", "456", "ana", "short", T0));
        var large = TweetDelivery(Tweet("2", "456", "ana", new string('a', 1200), T0));
        Assert.True(small.Length <= 1000, $"the small body is {small.Length} bytes");

        using var accepted = await SendAsync(parley, channel, small, chunked);
        using var refused = await SendAsync(parley, channel, large, chunked);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var detail = await AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1000", detail, StringComparison.Ordinal);
        await parley.DrainInboundAsync();
        Assert.Equal(1, await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));
        Assert.Equal(["1"], await parley.WithDbAsync(db => Task.FromResult(db.Messages.Select(m => m.ExternalId).ToList())));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("meta")]
    public async Task A_webhook_for_an_unknown_channel_is_404(string kind)
    {
        await using var parley = await TestParley.StartAsync();
        var body = TestParley.Utf8("{}");
        var missing = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{kind}/{missing}") { Content = new ByteArrayContent(body) };

        using var response = await parley.AnonymousClient().SendAsync(request);

        Assert.Contains(missing.ToString(), await AssertProblemAsync(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));
    }

    [Fact]
    public async Task A_webhook_for_an_X_channel_posted_to_the_Meta_route_is_404()
    {
        await using var parley = await TestParley.StartAsync();
        var channel = await parley.CreateXChannelAsync(consumerSecret: MetaPayloads.AppSecret);
        var body = MetaPayloads.Messaging(MetaPayloads.PageId, JsonNode.Parse("""{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1,"message":{"mid":"m1","text":"hi"}}""")!);

        using var response = await parley.PostMetaWebhookAsync(channel, body, MetaPayloads.Sign(body));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.InboundEvents.Count())));
    }

    [Fact]
    public async Task The_API_without_a_key_answers_401_with_a_problem()
    {
        await using var parley = await TestParley.StartAsync();

        using var response = await parley.AnonymousClient().GetAsync("/api/v1/conversations");

        Assert.Contains("Authorization", await AssertProblemAsync(response, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task An_unknown_conversation_is_404_with_a_problem_naming_it()
    {
        await using var parley = await TestParley.StartAsync();
        var id = Guid.NewGuid();

        using var response = await parley.Client.GetAsync($"/api/v1/conversations/{id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_conversation_is_served_as_problem_json()
    {
        await using var parley = await TestParley.StartAsync();

        using var response = await parley.Client.GetAsync($"/api/v1/conversations/{Guid.NewGuid()}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"kind":"fax","name":"f","settings":{"number":"+1 555"}}""", "kind")]
    [InlineData("""{"kind":"x","name":"no settings"}""", "settings.accountId,settings.consumerSecret,settings.accessToken")]
    [InlineData("""{"kind":"meta","settings":{"pageId":"1"}}""", "settings.appSecret,settings.verifyToken,settings.pageAccessToken")]
    public async Task Creating_a_channel_with_bad_input_is_a_validation_problem_naming_the_fields(string json, string fields)
    {
        await using var parley = await TestParley.StartAsync();
        await parley.CreateBrandAsync();

        using var response = await parley.Client.PostAsync("/api/v1/channels", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in fields.Split(','))
            Assert.True(errors.TryGetProperty(field, out _), $"errors does not name '{field}': {errors}");
        Assert.Empty((await parley.GetJsonAsync("/api/v1/channels")).EnumerateArray());
    }

    [Fact]
    public async Task A_syntactically_broken_JSON_body_on_the_API_is_a_400_problem_not_a_500()
    {
        await using var parley = await TestParley.StartAsync();

        using var response = await parley.Client.PostAsync("/api/v1/brands", new StringContent("{\"name\": \"Acme", System.Text.Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty((await parley.GetJsonAsync("/api/v1/brands")).EnumerateArray());
    }

    private static async Task<HttpResponseMessage> PostSignedAsync(TestParley parley, string kind, byte[] body)
    {
        if (kind == "x") return await parley.PostXWebhookAsync(await parley.CreateXChannelAsync(), body, Sign(body));
        return await parley.PostMetaWebhookAsync(await parley.CreateMetaChannelAsync(MetaPayloads.PageId), body, MetaPayloads.Sign(body));
    }

    private static async Task<HttpResponseMessage> SendAsync(TestParley parley, Guid channel, byte[] body, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/x/{channel}") { Content = content };
        request.Headers.TryAddWithoutValidation("x-twitter-webhooks-signature", Sign(body));
        if (chunked) request.Headers.TransferEncodingChunked = true;
        Assert.Equal(chunked, content.Headers.ContentLength is null);
        return await parley.AnonymousClient().SendAsync(request);
    }

    /// <returns>The problem's detail.</returns>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
    }

    private static async Task AssertQuarantinedOnlyAsync(TestParley parley, string detail)
    {
        var quarantine = (await parley.GetJsonAsync("/api/v1/inbound/quarantine")).EnumerateArray().ToList();
        var entry = Assert.Single(quarantine);
        Assert.Equal("quarantined", entry.GetProperty("status").GetString());
        Assert.Equal(detail, entry.GetProperty("error").GetString());
        await parley.DrainInboundAsync();
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Count())));
    }

    private static byte[] WrongTypes(string @case)
    {
        JsonObject Tweet1() => Tweet("1001", "456", "ana", "@zammadhq hi", T0);
        JsonObject Dm() => DirectMessage("9001", "456", Account, "hi", T0);
        var messaging = JsonNode.Parse("""{"sender":{"id":"77"},"recipient":{"id":"111899832631525"},"timestamp":1700000000000,"message":{"mid":"m.1","text":"hi"}}""")!.AsObject();
        switch (@case)
        {
            case "tweet_create_events is an object":
                return TestParley.Json(new JsonObject { ["for_user_id"] = Account, ["tweet_create_events"] = Tweet1() });
            case "tweet id_str is a fraction":
                var t = Tweet1(); t["id_str"] = 5.5; t.Remove("id");
                return TweetDelivery(t);
            case "tweet without any id":
                var u = Tweet1(); u.Remove("id_str"); u.Remove("id");
                return TweetDelivery(u);
            case "tweet user is a string":
                var v = Tweet1(); v["user"] = "ana";
                return TweetDelivery(v);
            case "direct message without message_create":
                var d = Dm(); d.Remove("message_create");
                return DirectMessageDelivery(d);
            case "body is an array":
                return TestParley.Utf8("[{\"for_user_id\":\"123\"}]");
            case "entry is an object":
                return TestParley.Json(new JsonObject { ["object"] = "page", ["entry"] = new JsonObject { ["id"] = MetaPayloads.PageId, ["messaging"] = new JsonArray(messaging) } });
            case "message without a sender":
                messaging.Remove("sender");
                return MetaPayloads.Messaging(MetaPayloads.PageId, messaging);
            case "message mid is a boolean":
                messaging["message"]!["mid"] = true;
                return MetaPayloads.Messaging(MetaPayloads.PageId, messaging);
            default:
                throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }
    }

    /// <summary>A body of unknown length, so the client sends it chunked without Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
