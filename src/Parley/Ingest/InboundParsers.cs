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
}
