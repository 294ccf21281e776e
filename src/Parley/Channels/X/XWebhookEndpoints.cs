using Parley.Ingest;

namespace Parley.Channels.X;

public static class XWebhookEndpoints
{
    public static void MapXWebhooks(this IEndpointRouteBuilder app)
    {
        var x = app.MapGroup("/webhooks/x").WithTags("Webhooks");

        // X's challenge-response check: proves to X that we hold the consumer secret.
        x.MapGet("/{channelId:guid}", async (Guid channelId, string? crc_token, ChannelDirectory channels, CancellationToken ct) =>
        {
            var channel = await channels.FindAsync(channelId, ct);
            if (channel?.X is null) return WebhookIngest.UnknownChannel(channelId, "x");
            if (string.IsNullOrEmpty(crc_token))
                return Results.Problem(title: "Missing crc_token", detail: "X's CRC request carries a 'crc_token' query parameter.",
                    statusCode: StatusCodes.Status400BadRequest);
            return Results.Json(new { response_token = XSignature.CrcResponseToken(channel.X.ConsumerSecret, crc_token) });
        }).WithSummary("Answers X's CRC check.")
            .WithDescription("X calls this when the webhook is registered and then about hourly: the answer is an HMAC-SHA256 of crc_token with the channel's consumer secret. Unauthenticated: X cannot hold a Parley key.");

        x.MapPost("/{channelId:guid}", ReceiveAsync).WithSummary("Receives X Account Activity events. Answers 200 once the raw body is stored.")
            .WithDescription("Checks x-twitter-webhooks-signature against the consumer secret, stores the raw body and answers; parsing and conversations follow from the stored body (docs/adr/0005). Unauthenticated: the signature is the proof.")
            .AsWebhookReceiver();
    }

    /// <summary>One delivery, from the raw bytes to the answer. The request-path benchmark's ladder calls it too.</summary>
    internal static async Task<IResult> ReceiveAsync(Guid channelId, HttpRequest request, ChannelDirectory channels,
        WebhookIngest ingest, CancellationToken ct)
    {
        var body = await WebhookBody.ReadAsync(request, ingest.MaxBodyBytes, ct);
        if (body is null) return WebhookIngest.TooLarge(ingest.MaxBodyBytes);
        var channel = await channels.FindAsync(channelId, ct);
        if (channel?.X is null) return WebhookIngest.UnknownChannel(channelId, "x");
        if (!XSignature.Verify(channel.X.ConsumerSecret, body, request.Headers[XSignature.Header]))
            return WebhookIngest.BadSignature(XSignature.Header);
        return await ingest.AcceptAsync(channel, InboundParsers.XWebhook, body) ?? Results.Ok();
    }
}
