using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parley.Channels;

/// <summary>An X account. <see cref="Mode"/> "webhook" receives Account Activity events; "polling"
/// reads the mentions timeline for accounts without webhook access.</summary>
public sealed record XSettings(
    string AccountId, string ApiBaseUrl, string Mode, string ConsumerSecret, string AccessToken)
{
    public bool Polls => Mode == "polling";
}

/// <summary>A Facebook page and, optionally, the Instagram professional account linked to it.</summary>
public sealed record MetaSettings(
    string PageId, string? InstagramAccountId, string ApiBaseUrl, string GraphVersion,
    string AppSecret, string VerifyToken, string PageAccessToken);

/// <summary>The channel with its credentials decrypted, as the webhook and sender code needs it.</summary>
public sealed record ChannelRuntime(Guid Id, Guid BrandId, string Kind, XSettings? X, MetaSettings? Meta);

/// <summary>Splits the settings a client posts into what may be shown and what must be encrypted,
/// and says which required fields are missing.</summary>
public static class ChannelSettingsParser
{
    public static readonly string[] Kinds = ["x", "meta"];

    private static readonly string[] XSecrets = ["consumerSecret", "accessToken"];
    private static readonly string[] MetaSecrets = ["appSecret", "verifyToken", "pageAccessToken"];

    public static Dictionary<string, string[]> Validate(string kind, JsonObject settings)
    {
        var errors = new Dictionary<string, string[]>();
        string[] required = kind switch
        {
            "x" => ["accountId", "consumerSecret", "accessToken"],
            "meta" => ["pageId", "appSecret", "verifyToken", "pageAccessToken"],
            _ => [],
        };
        foreach (var name in required)
        {
            if (settings[name] is not JsonValue v || !v.TryGetValue<string>(out var s) || string.IsNullOrWhiteSpace(s))
                errors["settings." + name] = [$"'{name}' is required for a {kind} channel and must be a non-empty string."];
        }
        if (Str(settings, "apiBaseUrl") is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            errors["settings.apiBaseUrl"] = ["'apiBaseUrl' must be an absolute http(s) address."];
        if (kind == "x" && Str(settings, "mode") is { } mode && mode is not ("webhook" or "polling"))
            errors["settings.mode"] = ["'mode' is 'webhook' or 'polling'."];
        return errors;
    }

    /// <returns>(public settings JSON, secrets JSON)</returns>
    public static (string Public, string Secrets) Split(string kind, JsonObject settings)
    {
        var secretNames = kind == "x" ? XSecrets : MetaSecrets;
        var shown = new JsonObject();
        var hidden = new JsonObject();
        foreach (var (name, value) in settings)
            (secretNames.Contains(name) ? hidden : shown)[name] = value?.DeepClone();
        if (kind == "x")
        {
            shown["apiBaseUrl"] ??= "https://api.x.com";
            shown["mode"] ??= "webhook";
        }
        else
        {
            shown["apiBaseUrl"] ??= "https://graph.facebook.com";
            shown["graphVersion"] ??= "v21.0";
        }
        return (shown.ToJsonString(), hidden.ToJsonString());
    }

    public static ChannelRuntime ToRuntime(Channel channel, string secretsJson)
    {
        var shown = JsonNode.Parse(channel.Settings)!.AsObject();
        var hidden = JsonNode.Parse(secretsJson)!.AsObject();
        return channel.Kind switch
        {
            "x" => new ChannelRuntime(channel.Id, channel.BrandId, "x", new XSettings(
                Str(shown, "accountId")!, Str(shown, "apiBaseUrl")!.TrimEnd('/'), Str(shown, "mode") ?? "webhook",
                Str(hidden, "consumerSecret")!, Str(hidden, "accessToken")!), null),
            "meta" => new ChannelRuntime(channel.Id, channel.BrandId, "meta", null, new MetaSettings(
                Str(shown, "pageId")!, Str(shown, "instagramAccountId"), Str(shown, "apiBaseUrl")!.TrimEnd('/'),
                Str(shown, "graphVersion") ?? "v21.0",
                Str(hidden, "appSecret")!, Str(hidden, "verifyToken")!, Str(hidden, "pageAccessToken")!)),
            _ => throw new InvalidOperationException($"Unknown channel kind '{channel.Kind}'."),
        };
    }

    private static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
