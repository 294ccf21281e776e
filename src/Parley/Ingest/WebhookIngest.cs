using Microsoft.Extensions.Options;
using Parley.Channels;

namespace Parley.Ingest;

public sealed class IngestOptions
{
    /// <summary>Larger webhook bodies are refused with 413. Networks send kilobytes; Meta batches stay well below this.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Acknowledge first (docs/adr/0047): while webhook acknowledgements queue, processing waits, but never
    /// longer than this past the oldest waiting delivery's arrival; then it runs regardless. Zero, the default, turns the
    /// yield off: on the quiet machine it gained the acknowledgements nothing and put the inbox further behind.</summary>
    public TimeSpan MaxProcessingDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Requests per commit (a moving average) from which acknowledgements count as queuing (docs/adr/0047).</summary>
    public double YieldAbove { get; set; } = 24;
}

/// <summary>The part every webhook shares once its signature checks out: validate, store durably or
/// quarantine, and only then answer.</summary>
public sealed class WebhookIngest(IngestWriter writer, TimeProvider clock, IOptions<IngestOptions> options)
{
    public int MaxBodyBytes => options.Value.MaxBodyBytes;

    /// <returns>null when the delivery is stored and may be acknowledged; otherwise the problem to answer with.</returns>
    public async Task<IResult?> AcceptAsync(ChannelRuntime channel, string source, byte[] body)
    {
        var inbound = new InboundEvent { ChannelId = channel.Id, Source = source, ReceivedAt = clock.GetUtcNow(), Body = body };
        ParsedDelivery? parsed;
        try
        {
            parsed = InboundParsers.CheckAtIngest(source, body, channel);
        }
        catch (MalformedPayloadException e)
        {
            inbound.Status = InboundStatus.Quarantined;
            inbound.Error = e.Message.Length > 1000 ? e.Message[..1000] : e.Message;
            var quarantined = await StoreOrNullAsync(inbound, null);
            // The answer names the quarantined delivery, so it is answered once that can be read (on SQLite the processor's
            // next write turn puts it in the database a moment after it is durable, docs/adr/0045, 0048); it is durable either way.
            if (quarantined is { } id) await writer.WhenReadableAsync(id).WaitAsync(QuarantineReadableWithin).ContinueWith(static _ => { }, TaskScheduler.Default);
            return Results.Problem(
                title: "Malformed payload",
                detail: e.Message,
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["quarantineId"] = quarantined });
        }

        // Awaited here rather than through StoreOrNullAsync: each async step a request's answer passes through after the
        // commit is one more continuation on its way out (docs/adr/0050).
        try
        {
            await writer.StoreAsync(inbound, parsed);
            return null;
        }
        catch (Exception)
        {
            return Unavailable();
        }
    }

    private static readonly TimeSpan QuarantineReadableWithin = TimeSpan.FromSeconds(5);

    public static IResult TooLarge(int limit) => Results.Problem(
        title: "Payload too large",
        detail: $"Webhook bodies are limited to {limit} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    public static IResult BadSignature(string header) => Results.Problem(
        title: "Invalid signature",
        detail: $"The '{header}' header is missing or does not match the body signed with this channel's secret.",
        statusCode: StatusCodes.Status401Unauthorized);

    public static IResult UnknownChannel(Guid id, string kind) => Results.Problem(
        title: "No such channel",
        detail: $"No {kind} channel has the id {id}.",
        statusCode: StatusCodes.Status404NotFound);

    private async Task<long?> StoreOrNullAsync(InboundEvent inbound, ParsedDelivery? parsed)
    {
        try { return await writer.StoreAsync(inbound, parsed); }
        catch (Exception) { return null; }
    }

    // The network retries on 5xx, so a delivery that could not be stored is not lost.
    public static IResult Unavailable() => Results.Problem(
        title: "Not stored",
        detail: "The delivery could not be stored durably and was not acknowledged; send it again.",
        statusCode: StatusCodes.Status503ServiceUnavailable);
}
