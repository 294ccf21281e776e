using Parley.Ingest;

namespace Parley.Channels.Meta;

public static class MetaWebhookEndpoints
{
    public static void MapMetaWebhooks(this IEndpointRouteBuilder app)
    {
        var meta = app.MapGroup("/webhooks/meta").WithTags("Webhooks");

        // Meta's subscription handshake: echo hub.challenge when hub.verify_token is ours.
        meta.MapGet("/{channelId:guid}", async (Guid channelId, HttpRequest request, ChannelDirectory channels, CancellationToken ct) =>
        {
            var channel = await channels.FindAsync(channelId, ct);
            if (channel?.Meta is null) return WebhookIngest.UnknownChannel(channelId, "meta");
            var q = request.Query;
            if (q["hub.mode"] != "subscribe" || string.IsNullOrEmpty(q["hub.challenge"]))
                return Results.Problem(title: "Not a subscription handshake",
                    detail: "Expected hub.mode=subscribe with hub.challenge and hub.verify_token.", statusCode: StatusCodes.Status400BadRequest);
            if (q["hub.verify_token"] != channel.Meta.VerifyToken)
                return Results.Problem(title: "Wrong verify token",
                    detail: "hub.verify_token does not match this channel's verify token.", statusCode: StatusCodes.Status403Forbidden);
            return Results.Text(q["hub.challenge"]!, "text/plain");
        }).WithSummary("Answers Meta's webhook verification handshake.")
            .WithDescription("Meta sends hub.mode=subscribe, hub.verify_token and hub.challenge when the webhook is set up; Parley echoes the challenge when the token is the channel's verify token. Unauthenticated: Meta cannot hold a Parley key.");

        meta.MapPost("/{channelId:guid}", async (Guid channelId, HttpRequest request, ChannelDirectory channels,
            WebhookIngest ingest, CancellationToken ct) =>
        {
            var body = await WebhookBody.ReadAsync(request, ingest.MaxBodyBytes, ct);
            if (body is null) return WebhookIngest.TooLarge(ingest.MaxBodyBytes);
            var channel = await channels.FindAsync(channelId, ct);
            if (channel?.Meta is null) return WebhookIngest.UnknownChannel(channelId, "meta");
            if (!MetaSignature.Verify(channel.Meta.AppSecret, body, request.Headers[MetaSignature.Header]))
                return WebhookIngest.BadSignature(MetaSignature.Header);
            return await ingest.AcceptAsync(channel, InboundParsers.MetaWebhook, body) ?? Results.Text("EVENT_RECEIVED");
        }).WithSummary("Receives Messenger, page feed and Instagram events. Answers 200 once the raw body is stored.")
            .WithDescription("Checks X-Hub-Signature-256 against the app secret, stores the raw body and answers; parsing and conversations follow from the stored body (docs/adr/0005). Unauthenticated: the signature is the proof.")
            .AsWebhookReceiver();
    }
}
