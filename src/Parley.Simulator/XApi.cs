using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parley.Simulator;

/// <summary>The X API v2 calls Parley makes: posting tweets and DMs, and reading back the account's
/// tweets, DMs and mentions. Shapes follow the v2 reference; fields are always included (a superset of
/// what <c>tweet.fields</c>/<c>expansions</c> would select), so lenient clients and exact ones both work.</summary>
internal sealed class XApi(SimulatorStore store)
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/2/tweets", CreateTweet);
        app.MapGet("/2/users/me", Me);
        app.MapGet("/2/users/{id}/tweets", ListTweets);
        app.MapGet("/2/users/{id}/mentions", ListMentions);
        app.MapPost("/2/dm_conversations/with/{participantId}/messages", SendDm);
        app.MapGet("/2/dm_conversations/with/{participantId}/dm_events", ListDms);
    }

    private async Task CreateTweet(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is not { } token) { await NetworkErrors.XUnauthorized(ctx); return; }
        if (ParseObject(ctx) is not { } body) { await NetworkErrors.XInvalidRequest(ctx, "Request body is not a valid JSON object."); return; }
        if (TextOf(body) is not { } text) { await NetworkErrors.XInvalidRequest(ctx, "$.text: is missing but it is required"); return; }
        if (string.IsNullOrWhiteSpace(text)) { await NetworkErrors.XInvalidRequest(ctx, "$.text: must not be empty"); return; }
        if (XTextWeight.Of(text) > XTextWeight.Limit)
        {
            await NetworkErrors.XInvalidRequest(ctx, $"$.text: must not be longer than {XTextWeight.Limit} characters (weighted: {XTextWeight.Of(text)})");
            return;
        }

        string? inReplyTo = null;
        if (body["reply"] is JsonNode reply)
        {
            inReplyTo = reply is JsonObject r && r["in_reply_to_tweet_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (!NumericIds.IsNumeric(inReplyTo))
            {
                await NetworkErrors.XInvalidRequest(ctx, "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$");
                return;
            }
        }

        var tweet = store.CreateTweet(store.XAccountFor(token), text, inReplyTo);
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status201Created, new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["id"] = tweet.Id,
                ["text"] = tweet.Text,
                ["edit_history_tweet_ids"] = new JsonArray(tweet.Id),
            },
        });
    }

    /// <summary>The token's account (connection checks); the simulator knows no handle, so it makes one up.</summary>
    private async Task Me(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is not { } token) { await NetworkErrors.XUnauthorized(ctx); return; }
        var id = store.XAccountFor(token);
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject
        {
            ["data"] = new JsonObject { ["id"] = id, ["name"] = "Account " + id, ["username"] = "account" + id },
        });
    }

    private async Task ListTweets(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is null) { await NetworkErrors.XUnauthorized(ctx); return; }
        var userId = (string)ctx.Request.RouteValues["id"]!;
        var (page, error) = XTimelinePage.Take(store.TweetsBy(userId), t => t.Id, t => t.CreatedAt, ctx.Request.Query, 5, 100, 10);
        if (page is null) { await NetworkErrors.XInvalidRequest(ctx, error!); return; }
        var data = page.Items.Select(t => (JsonNode?)TweetJson(t.Id, t.Text, t.AuthorId, t.CreatedAt, t.ConversationId, t.InReplyToId, t.InReplyToUserId));
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, Timeline(data, page.Items.Select(t => t.Id).ToList(), page.NextToken, includes: null));
    }

    private async Task ListMentions(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is null) { await NetworkErrors.XUnauthorized(ctx); return; }
        var userId = (string)ctx.Request.RouteValues["id"]!;
        var (page, error) = XTimelinePage.Take(store.MentionsOf(userId), m => m.Tweet.Id, m => m.Tweet.CreatedAt, ctx.Request.Query, 5, 100, 10);
        if (page is null) { await NetworkErrors.XInvalidRequest(ctx, error!); return; }

        var data = page.Items.Select(m => (JsonNode?)TweetJson(
            m.Tweet.Id, m.Tweet.Text, m.Tweet.AuthorId, m.Tweet.CreatedAt, m.ConversationId, m.Tweet.InReplyToId, m.InReplyToUserId));
        var users = page.Items.Select(m => m.Tweet).DistinctBy(t => t.AuthorId).Select(t => (JsonNode?)new JsonObject
        {
            ["id"] = t.AuthorId,
            ["name"] = t.AuthorName,
            ["username"] = t.AuthorUsername,
            ["verified"] = t.AuthorVerified,
            ["public_metrics"] = new JsonObject
            {
                ["followers_count"] = t.AuthorFollowers,
                ["following_count"] = 0,
                ["tweet_count"] = 0,
                ["listed_count"] = 0,
            },
        });
        var includes = new JsonObject { ["users"] = JsonResponses.Array(users) };
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, Timeline(data, page.Items.Select(m => m.Tweet.Id).ToList(), page.NextToken, includes));
    }

    private async Task SendDm(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is not { } token) { await NetworkErrors.XUnauthorized(ctx); return; }
        var participant = (string)ctx.Request.RouteValues["participantId"]!;
        if (!NumericIds.IsNumeric(participant))
        {
            await NetworkErrors.XInvalidRequest(ctx, $"The `participant_id` path parameter value [{participant}] does not match ^[0-9]{{1,19}}$");
            return;
        }
        if (ParseObject(ctx) is not { } body) { await NetworkErrors.XInvalidRequest(ctx, "Request body is not a valid JSON object."); return; }
        if (TextOf(body) is not { } text || string.IsNullOrWhiteSpace(text))
        {
            await NetworkErrors.XInvalidRequest(ctx, "$.text: is missing but it is required");
            return;
        }

        var dm = store.CreateDm(store.XAccountFor(token), participant, text);
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status201Created, new JsonObject
        {
            ["data"] = new JsonObject { ["dm_conversation_id"] = dm.ConversationId, ["dm_event_id"] = dm.Id },
        });
    }

    /// <summary>DMs between the token's account (see <see cref="NetworkSimulator.RegisterXAccount"/>) and the participant.</summary>
    private async Task ListDms(HttpContext ctx)
    {
        if (AccessTokens.FromAuthorization(ctx) is not { } token) { await NetworkErrors.XUnauthorized(ctx); return; }
        var participant = (string)ctx.Request.RouteValues["participantId"]!;
        var conversation = SimulatorStore.DmConversationId(store.XAccountFor(token), participant);
        var (page, error) = XTimelinePage.Take(store.DmsIn(conversation), d => d.Id, d => d.CreatedAt, ctx.Request.Query, 1, 100, 100);
        if (page is null) { await NetworkErrors.XInvalidRequest(ctx, error!); return; }

        var result = new JsonObject();
        if (page.Items.Count > 0)
        {
            result["data"] = JsonResponses.Array(page.Items.Select(d => (JsonNode?)new JsonObject
            {
                ["id"] = d.Id,
                ["event_type"] = "MessageCreate",
                ["text"] = d.Text,
                ["sender_id"] = d.SenderId,
                ["created_at"] = XTimelinePage.Time(d.CreatedAt),
                ["dm_conversation_id"] = d.ConversationId,
            }));
        }
        var meta = new JsonObject { ["result_count"] = page.Items.Count };
        if (page.NextToken is { } next) meta["next_token"] = next;
        result["meta"] = meta;
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, result);
    }

    private static JsonObject TweetJson(
        string id, string text, string authorId, DateTimeOffset at, string conversationId, string? inReplyToId, string? inReplyToUserId)
    {
        var tweet = new JsonObject
        {
            ["id"] = id,
            ["text"] = text,
            ["edit_history_tweet_ids"] = new JsonArray(id),
            ["created_at"] = XTimelinePage.Time(at),
            ["author_id"] = authorId,
            ["conversation_id"] = conversationId,
        };
        if (inReplyToUserId is not null) tweet["in_reply_to_user_id"] = inReplyToUserId;
        if (inReplyToId is not null)
            tweet["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "replied_to", ["id"] = inReplyToId });
        return tweet;
    }

    /// <summary>A v2 timeline: <c>data</c> and <c>includes</c> only when there are results, as X does.</summary>
    private static JsonObject Timeline(IEnumerable<JsonNode?> data, List<string> ids, string? nextToken, JsonObject? includes)
    {
        var result = new JsonObject();
        var meta = new JsonObject { ["result_count"] = ids.Count };
        if (ids.Count > 0)
        {
            result["data"] = JsonResponses.Array(data);
            if (includes is not null) result["includes"] = includes;
            meta["newest_id"] = ids[0];
            meta["oldest_id"] = ids[^1];
        }
        if (nextToken is not null) meta["next_token"] = nextToken;
        result["meta"] = meta;
        return result;
    }

    private static JsonObject? ParseObject(HttpContext ctx)
    {
        try
        {
            return JsonNode.Parse(JsonResponses.RequestBody(ctx)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? TextOf(JsonObject body) =>
        body["text"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
