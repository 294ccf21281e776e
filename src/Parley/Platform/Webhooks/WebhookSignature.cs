using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Platform.Webhooks;

/// <summary><c>Parley-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>. The
/// timestamp is signed with the body so a receiver can refuse old replays; the key is the secret's UTF-8
/// bytes, exactly as shown when the subscription was created (docs/webhooks.md).</summary>
public static class WebhookSignature
{
    public const string Header = "Parley-Signature";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body) => Sign([secret], unixSeconds, body);

    /// <summary>During a secret rotation's overlap: <c>t=..,v1=&lt;new&gt;,v1=&lt;old&gt;</c>, as Stripe does; a receiver
    /// accepts the delivery when any v1 matches the secret it holds.</summary>
    public static string Sign(IReadOnlyList<string> secrets, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(t + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var header = new StringBuilder("t=").Append(t);
        foreach (var secret in secrets)
            header.Append(",v1=").Append(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
        return header.ToString();
    }

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
