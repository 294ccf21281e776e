using System.Net;
using System.Text.Json;
using Parley.Tests.Channels.Meta;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

/// <summary>Signed payloads that are JSON but not what the network documents, in places where a
/// parser is easily caught out. Each must be a 400 problem and quarantined, never a 500.</summary>
public sealed class MalformedEdgeCaseTests
{
    private const string DmTemplate = """{"for_user_id":"123","direct_message_events":[{"type":"message_create","id":"1","created_timestamp":"CREATED","message_create":{"target":{"recipient_id":"123"},"sender_id":"456","message_data":{"text":"hi"}}}]USERS}""";
    private const string MessengerTemplate = """{"object":"page","entry":[{"id":"111899832631525","time":1700000000000,"messaging":[{"sender":{"id":"7"},"recipient":{"id":"111899832631525"},"timestamp":STAMP,"message":{"mid":"m.1","text":"hi"ATTACHMENTS}}]}]}""";

    [Theory]
    [InlineData("x", """{"for_user_id":"123","direct_message_events":[],"favorite_events":[]}""")]
    [InlineData("meta", """{"object":"page","entry":[]}""")]
    [InlineData("meta", """{"object":"page","entry":[{"id":"111899832631525","time":1700000000000,"messaging":[],"changes":[]}]}""")]
    public async Task Empty_event_lists_are_acknowledged(string kind, string json)
    {
        await using var parley = await TestParley.StartAsync();

        using var response = await PostSignedAsync(parley, kind, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await parley.GetJsonAsync("/api/v1/inbound/quarantine")).EnumerateArray());
    }

    [Theory]
    [InlineData("""{"for_user_id":"123","tweet_create_events":null}""")]
    [InlineData("""{"for_user_id":"123","direct_message_events":null}""")]
    public async Task A_null_event_list_is_a_problem_not_a_500(string json)
    {
        await using var parley = await TestParley.StartAsync();
        using var response = await PostSignedAsync(parley, "x", json);

        // Either reading is defensible (an empty list, or the wrong type); a 500 is not.
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await parley.DrainInboundAsync();
            Assert.Empty((await parley.GetJsonAsync("/api/v1/inbound/quarantine")).EnumerateArray());
            Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
        }
        else await AssertQuarantinedAsync(parley, response);
    }

    [Theory]
    [InlineData("x", "users entry is a string")]
    [InlineData("x", "own tweet mentions a number")]
    [InlineData("meta", "attachment is a string")]
    [InlineData("meta", "attachment is null")]
    public async Task A_list_item_that_is_not_an_object_is_a_problem_not_a_500(string kind, string @case)
    {
        await using var parley = await TestParley.StartAsync();
        var json = @case switch
        {
            "users entry is a string" => DmTemplate.Replace("CREATED", "1542292339406").Replace("USERS", ""","users":{"456":"ana"}"""),
            "own tweet mentions a number" => """{"for_user_id":"123","tweet_create_events":[{"id_str":"5","text":"hi","user":{"id_str":"123","screen_name":"b"},"timestamp_ms":"1542292339406","entities":{"user_mentions":[5]}}]}""",
            "attachment is a string" => MessengerTemplate.Replace("STAMP", "1700000000000").Replace("ATTACHMENTS", ""","attachments":["https://example.com/a.jpg"]"""),
            _ => MessengerTemplate.Replace("STAMP", "1700000000000").Replace("ATTACHMENTS", ""","attachments":[null]"""),
        };
        await AssertQuarantinedAsync(parley, await PostSignedAsync(parley, kind, json));
    }

    [Theory]
    [InlineData("x", "99999999999999999")]
    [InlineData("meta", "99999999999999999")]
    [InlineData("meta", "-99999999999999999")]
    public async Task A_time_out_of_range_is_a_problem_not_a_500(string kind, string stamp)
    {
        await using var parley = await TestParley.StartAsync();
        var json = kind == "x"
            ? DmTemplate.Replace("CREATED", stamp).Replace("USERS", "")
            : MessengerTemplate.Replace("STAMP", stamp).Replace("ATTACHMENTS", "");
        await AssertQuarantinedAsync(parley, await PostSignedAsync(parley, kind, json));
    }

    private static async Task<HttpResponseMessage> PostSignedAsync(TestParley parley, string kind, string json)
    {
        var body = TestParley.Utf8(json);
        return kind == "x"
            ? await parley.PostXWebhookAsync(await parley.CreateXChannelAsync(), body, Sign(body))
            : await parley.PostMetaWebhookAsync(await parley.CreateMetaChannelAsync(MetaPayloads.PageId), body, MetaPayloads.Sign(body));
    }

    private static async Task AssertQuarantinedAsync(TestParley parley, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        var entry = Assert.Single((await parley.GetJsonAsync("/api/v1/inbound/quarantine")).EnumerateArray());
        Assert.Equal(detail, entry.GetProperty("error").GetString());
        Assert.Equal(0, await parley.WithDbAsync(db => Task.FromResult(db.Messages.Count())));
    }
}
