using Parley.Channels;
using Parley.Channels.Meta;
using Parley.Channels.X;

namespace Parley.Ingest;

/// <summary>Names each way a delivery can arrive and the parser that reads it.</summary>
public static class InboundParsers
{
    public const string XWebhook = "x.webhook";
    public const string XMentions = "x.mentions";
    public const string MetaWebhook = "meta.webhook";

    public static ParsedDelivery Parse(string source, byte[] body, ChannelRuntime channel) => source switch
    {
        XWebhook => XWebhookParser.Parse(body, channel.X!),
        XMentions => XMentionsParser.Parse(body, channel.X!),
        MetaWebhook => MetaWebhookParser.Parse(body, channel.Meta!),
        _ => throw new MalformedPayloadException($"Unknown inbound source '{source}'."),
    };

    /// <summary>What a webhook needs before it is acknowledged: refused as malformed exactly when
    /// <see cref="Parse"/> would refuse it. X webhooks (the busiest) are checked without building the
    /// delivery, and processing parses the stored body: the check costs a fraction of the parse, on the
    /// request that waits for it (docs/adr/0030). Other sources are parsed and the parse handed over.</summary>
    /// <returns>The parse when one was made, for the processor; null when the body was only checked.</returns>
    /// <exception cref="MalformedPayloadException">The body is malformed.</exception>
    public static ParsedDelivery? CheckAtIngest(string source, byte[] body, ChannelRuntime channel)
    {
        if (source != XWebhook) return Parse(source, body, channel);
        XWebhookCheck.Check(body, channel.X!);
        return null;
    }
}
