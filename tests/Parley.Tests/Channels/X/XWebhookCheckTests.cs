using System.Text;
using System.Text.Json.Nodes;
using Parley.Channels;
using Parley.Channels.X;
using Parley.Ingest;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.Channels.X;

/// <summary>Ingest acknowledges an X webhook after <see cref="XWebhookCheck"/> and processing parses it later with
/// <see cref="XWebhookParser"/>: a body the check lets through but the parser refuses would be acknowledged and
/// then fail instead of being answered 400 and quarantined. So the two must agree on every body, and on the
/// message. These bodies are the captured payloads and Parley's own test deliveries, each value in them replaced
/// by every kind of wrong value in turn, or removed.</summary>
public sealed class XWebhookCheckTests
{
    private static readonly string[] Accounts = ["123", Account, "456", "0"];

    [Fact]
    public void The_check_at_ingest_refuses_exactly_what_the_parser_refuses_with_the_same_message()
    {
        var compared = 0;
        var refused = 0;
        foreach (var body in Bodies())
        {
            foreach (var variant in Variants(body))
            {
                foreach (var account in Accounts)
                {
                    var settings = new XSettings(account, "http://x.invalid", "webhook", "secret", "token");
                    var parser = Verdict(() => XWebhookParser.Parse(variant, settings));
                    var check = Verdict(() => XWebhookCheck.Check(variant, settings));
                    Assert.True(parser == check, $"parser: {parser}\ncheck: {check}\nbody: {Encoding.UTF8.GetString(variant)}");
                    compared++;
                    if (parser != "accepted") refused++;
                }
            }
        }
        // Enough of both verdicts that the comparison means something.
        Assert.True(compared > 20_000 && refused > compared / 10, $"{compared} compared, {refused} refused");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"for_user_id\":\"123\", this is not json")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":1},")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("{\"a\":1 /* comment */}")]
    [InlineData("{\"a\":[1,],}")]
    [InlineData("\uFEFF{\"for_user_id\":\"123\"}")]
    [InlineData("{\"for_user_id\":\"\\u0031\\u0032\\u0033\",\"tweet_create_events\":[{\"id\\u005fstr\":\" \",\"id\":5}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":2},\"timestamp_ms\":\"99999999999999999\"}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":2},\"timestamp_ms\":-99999999999999}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":2},\"created_at\":\"2024-03-01T09:00:00+01:00\"}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":2},\"created_at\":\"yesterday\"}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"id\":\"x\",\"user\":{\"id\":2},\"timestamp_ms\":1}],\"tweet_create_events\":{}}")]
    [InlineData("{\"direct_message_events\":[{\"id\":\"1\"}],\"tweet_create_events\":[{}]}")]
    [InlineData("{\"tweet_create_events\":[{}],\"direct_message_events\":[{\"id\":\"1\"}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":123},\"timestamp_ms\":1,\"entities\":{\"user_mentions\":[{\"name\":\"n\"},{\"id\":7,\"name\":5}]}}]}")]
    [InlineData("{\"tweet_create_events\":[{\"id\":1,\"user\":{\"id\":123},\"timestamp_ms\":1,\"entities\":{\"user_mentions\":[3]}}]}")]
    [InlineData("{\"direct_message_events\":[{\"id\":\"1\",\"created_timestamp\":1,\"message_create\":{\"sender_id\":\"123\",\"target\":{\"recipient_id\":\"9\"},\"message_data\":{}}}],\"users\":{\"9\":null,\"123\":[]}}")]
    [InlineData("{\"direct_message_events\":[{\"id\":\"1\",\"created_timestamp\":1,\"message_create\":{\"sender_id\":\"123\",\"target\":{\"recipient_id\":\"9\"},\"message_data\":{}}}],\"users\":{\"9\":{\"id\":9},\"123\":{\"screen_name\":1}}}")]
    [InlineData("{\"direct_message_events\":[{\"id\":\"1\",\"created_timestamp\":1,\"message_create\":{\"sender_id\":\"8\",\"target\":{\"recipient_id\":\"123\"},\"message_data\":{\"attachment\":{\"media\":{\"media_url_https\":[]}}}}}]}")]
    public void Bodies_made_to_catch_a_reader_out_get_the_parsers_verdict(string json)
    {
        var nested = "{\"tweet_create_events\":" + new string('[', 70) + new string(']', 70) + "}";
        foreach (var text in new[] { json, nested })
        {
            var body = Encoding.UTF8.GetBytes(text);
            var settings = new XSettings("123", "http://x.invalid", "webhook", "secret", "token");
            Assert.Equal(Verdict(() => XWebhookParser.Parse(body, settings)), Verdict(() => XWebhookCheck.Check(body, settings)));
        }
    }

    private static string Verdict(Action run)
    {
        try
        {
            run();
            return "accepted";
        }
        catch (MalformedPayloadException e)
        {
            return "malformed: " + e.Message;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static IEnumerable<byte[]> Bodies()
    {
        foreach (var (_, body, _) in Fixtures.ZammadXWebhooks()) yield return body;
        var at = T0;
        yield return TweetDelivery(Tweet("1", "456", "ana", "hello @brand", at), Tweet("2", Account, "brand", "@ana hi", at, "1", "456", "ana"));
        yield return TweetDelivery(Tweet("3", Account, "brand", "@ana by mention", at));
        var withMedia = Tweet("4", "456", "ana", "look", at);
        withMedia["extended_tweet"] = new JsonObject
        {
            ["full_text"] = "look at this, the whole text",
            ["extended_entities"] = new JsonObject { ["media"] = new JsonArray(new JsonObject { ["type"] = "photo", ["media_url_https"] = "https://x.invalid/p.jpg" }) },
        };
        withMedia["retweeted_status"] = null;
        yield return TweetDelivery(withMedia);
        var outbound = DirectMessage("5", Account, "456", "hi", at);
        ((JsonObject)outbound["message_create"]!["message_data"]!)["attachment"] = new JsonObject
        {
            ["type"] = "media", ["media"] = new JsonObject { ["type"] = "photo", ["media_url_https"] = "https://x.invalid/d.jpg" },
        };
        var dms = new JsonObject
        {
            ["for_user_id"] = Account,
            ["direct_message_events"] = new JsonArray(DirectMessage("6", "456", Account, "hello", at), outbound),
            ["users"] = new JsonObject
            {
                ["456"] = new JsonObject { ["id"] = "456", ["screen_name"] = "ana", ["name"] = "Ana" },
                [Account] = new JsonObject { ["id"] = Account, ["screen_name"] = "brand" },
            },
            ["favorite_events"] = new JsonArray(new JsonObject { ["id"] = "f" }),
        };
        yield return Encoding.UTF8.GetBytes(dms.ToJsonString());
    }

    private static readonly JsonNode?[] WrongValues =
        [null, "", " ", "x", "123", "Thu Nov 15 23:31:30 +0000 2018", 1.5, -1, 0, 123, 99999999999999999, 1e30, true, new JsonObject(), new JsonArray(),
            new JsonArray(1), new JsonObject { ["id"] = 1 }];

    /// <summary>The body itself, then for every value in it: the value replaced by each of <see cref="WrongValues"/>,
    /// and (in an object) the property removed.</summary>
    private static IEnumerable<byte[]> Variants(byte[] body)
    {
        yield return body;
        var root = JsonNode.Parse(body)!;
        var count = Paths(root, []).Count;
        for (var k = 0; k < count; k++)
        {
            foreach (var wrong in WrongValues.Append(Removed))
            {
                var copy = JsonNode.Parse(body)!;
                var path = Paths(copy, [])[k];
                if (path.Count == 0) continue;
                var parent = path[^1].Parent!;
                var replacement = wrong == Removed ? null : wrong?.DeepClone();
                switch (parent)
                {
                    case JsonObject o when wrong == Removed: o.Remove(path[^1].GetPropertyName()); break;
                    case JsonObject o: o[path[^1].GetPropertyName()] = replacement; break;
                    case JsonArray a when wrong == Removed: a.RemoveAt(path[^1].GetElementIndex()); break;
                    case JsonArray a: a[path[^1].GetElementIndex()] = replacement; break;
                }
                yield return Encoding.UTF8.GetBytes(copy.ToJsonString());
            }
        }
    }

    private static readonly JsonNode Removed = JsonValue.Create("<removed>");

    /// <summary>Every non-null node under <paramref name="node"/> as the chain from the root (the root's chain is empty).</summary>
    private static List<List<JsonNode>> Paths(JsonNode node, List<JsonNode> chain)
    {
        var all = new List<List<JsonNode>> { chain };
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
            if (child is not null) all.AddRange(Paths(child, [.. chain, child]));
        return all;
    }
}
