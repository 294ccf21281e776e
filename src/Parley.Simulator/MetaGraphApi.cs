using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Parley.Simulator;

/// <summary>The Graph API calls Parley makes for Facebook Pages and Instagram: the Send API, replies
/// under Facebook comments (<c>/comments</c>) and Instagram comments (<c>/replies</c>), and the lookups
/// that find them again. Any version segment (<c>v21.0</c>) is accepted.</summary>
internal sealed partial class MetaGraphApi(SimulatorStore store)
{
    private const int MaxMessageText = 2000;

    [GeneratedRegex(@"^v\d+\.\d+$")]
    private static partial Regex Version();

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/{version}/{id}/{edge}", Post);
        app.MapGet("/{version}/{id}/{edge}", Get);
        app.MapGet("/{version}/{id}", GetObject);
    }

    private async Task Post(HttpContext ctx)
    {
        var (id, edge) = Route(ctx);
        if (id is null) { await NetworkErrors.NotFound(ctx); return; }
        var parameters = GraphParameters.From(ctx);
        if (parameters.Malformed) { await NetworkErrors.GraphInvalidParameter(ctx, "Could not parse the request body as JSON"); return; }
        if (AccessTokens.ForGraph(ctx, parameters) is not { } token) { await NetworkErrors.GraphMissingToken(ctx); return; }

        switch (edge)
        {
            case "messages": await SendMessage(ctx, id == "me" ? store.MetaPageFor(token) : id, parameters); break;
            case "comments" or "replies": await Comment(ctx, id, edge, store.MetaPageFor(token), parameters); break;
            default: await Unsupported(ctx, "post", id); break;
        }
    }

    private async Task Get(HttpContext ctx)
    {
        var (id, edge) = Route(ctx);
        if (id is null) { await NetworkErrors.NotFound(ctx); return; }
        var parameters = GraphParameters.From(ctx);
        if (AccessTokens.ForGraph(ctx, parameters) is not { } token) { await NetworkErrors.GraphMissingToken(ctx); return; }

        switch (edge)
        {
            case "comments": await ListComments(ctx, id); break;
            case "replies": await ListReplies(ctx, id); break;
            case "conversations": await ListConversations(ctx, id == "me" ? store.MetaPageFor(token) : id, parameters.String("user_id")); break;
            default: await Unsupported(ctx, "get", id); break;
        }
    }

    /// <summary><c>/me</c> (or the page itself): the token's page, for connection checks.</summary>
    private async Task GetObject(HttpContext ctx)
    {
        var values = ctx.Request.RouteValues;
        if (!Version().IsMatch((string)values["version"]!)) { await NetworkErrors.NotFound(ctx); return; }
        if (AccessTokens.ForGraph(ctx, GraphParameters.From(ctx)) is not { } token) { await NetworkErrors.GraphMissingToken(ctx); return; }
        var id = (string)values["id"]!;
        var page = id == "me" ? store.MetaPageFor(token) : id;
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject { ["name"] = "Page " + page, ["id"] = page });
    }

    private async Task SendMessage(HttpContext ctx, string pageId, GraphParameters parameters)
    {
        var recipient = parameters.Object("recipient");
        var userId = Text(recipient, "id");
        var commentId = Text(recipient, "comment_id") ?? Text(recipient, "post_id");
        if (userId is null && commentId is null) { await NetworkErrors.GraphInvalidParameter(ctx, "The parameter recipient is required"); return; }
        if (parameters.String("messaging_type") is { } type && type is not ("RESPONSE" or "UPDATE" or "MESSAGE_TAG"))
        {
            await NetworkErrors.GraphInvalidParameter(ctx, "Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}");
            return;
        }
        var message = parameters.Object("message");
        var text = Text(message, "text");
        if (message is null || (text is null && message["attachment"] is null))
        {
            await NetworkErrors.GraphInvalidParameter(ctx, "The parameter message is required");
            return;
        }
        if (text is { Length: > MaxMessageText })
        {
            await NetworkErrors.GraphInvalidParameter(ctx, $"Length of param message[text] must be less than or equal to {MaxMessageText}");
            return;
        }

        // A private reply to a comment goes to the comment's author, whose id the simulator makes up from the comment id.
        var to = userId ?? CommenterOf(commentId!);
        var sent = store.AddPageMessage(pageId, to, text ?? "");
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject { ["recipient_id"] = to, ["message_id"] = sent.Mid });
    }

    private async Task Comment(HttpContext ctx, string parentId, string edge, string pageId, GraphParameters parameters)
    {
        var message = parameters.String("message");
        if (string.IsNullOrWhiteSpace(message) && parameters.String("attachment_url") is null && parameters.String("attachment_id") is null)
        {
            await NetworkErrors.GraphInvalidParameter(ctx, "Missing message or attachment");
            return;
        }
        var comment = store.AddComment(parentId, edge, message ?? "", pageId, "Page " + pageId);
        await JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject { ["id"] = comment.Id });
    }

    private Task ListComments(HttpContext ctx, string parentId) =>
        JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject
        {
            ["data"] = JsonResponses.Array(store.CommentsUnder(parentId, "comments").Select(c => (JsonNode?)new JsonObject
            {
                ["created_time"] = GraphTime(c.CreatedAt),
                ["from"] = new JsonObject { ["name"] = c.FromName, ["id"] = c.FromId },
                ["message"] = c.Message,
                ["id"] = c.Id,
            })),
        });

    /// <summary>Instagram names the fields differently (text, timestamp, username); created_time and
    /// from.name are added so one reader can handle both networks.</summary>
    private Task ListReplies(HttpContext ctx, string parentId) =>
        JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject
        {
            ["data"] = JsonResponses.Array(store.CommentsUnder(parentId, "replies").Select(c => (JsonNode?)new JsonObject
            {
                ["id"] = c.Id,
                ["text"] = c.Message,
                ["timestamp"] = GraphTime(c.CreatedAt),
                ["created_time"] = GraphTime(c.CreatedAt),
                ["username"] = c.FromName,
                ["from"] = new JsonObject { ["id"] = c.FromId, ["username"] = c.FromName, ["name"] = c.FromName },
            })),
        });

    private Task ListConversations(HttpContext ctx, string pageId, string? userId) =>
        JsonResponses.WriteAsync(ctx, StatusCodes.Status200OK, new JsonObject
        {
            ["data"] = JsonResponses.Array(store.PageConversations(pageId, userId).Select(thread => (JsonNode?)new JsonObject
            {
                ["id"] = thread.Key,
                ["updated_time"] = GraphTime(thread.First().CreatedAt),
                ["messages"] = new JsonObject
                {
                    ["data"] = JsonResponses.Array(thread.Select(m => (JsonNode?)new JsonObject
                    {
                        ["id"] = m.Mid,
                        ["message"] = m.Text,
                        ["from"] = new JsonObject { ["id"] = m.PageId },
                        ["to"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["id"] = m.RecipientId }) },
                        ["created_time"] = GraphTime(m.CreatedAt),
                    })),
                },
            })),
        });

    private static Task Unsupported(HttpContext ctx, string verb, string id) =>
        NetworkErrors.Graph(ctx, StatusCodes.Status400BadRequest,
            $"Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            100, "GraphMethodException", subcode: 33);

    private static (string? Id, string Edge) Route(HttpContext ctx)
    {
        var values = ctx.Request.RouteValues;
        return Version().IsMatch((string)values["version"]!) ? ((string)values["id"]!, (string)values["edge"]!) : (null, "");
    }

    private static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : null;

    private static string CommenterOf(string commentId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(commentId));
        return (BitConverter.ToUInt64(hash, 0) % 9_000_000_000_000_000 + 1_000_000_000_000_000).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Graph's time format: ISO 8601 with a <c>+0000</c> offset.</summary>
    private static string GraphTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture);
}
