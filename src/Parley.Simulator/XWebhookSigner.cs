using System.Security.Cryptography;
using System.Text;

namespace Parley.Simulator;

/// <summary>Signs an Account Activity delivery as X does: the <c>x-twitter-webhooks-signature</c> header is
/// <c>sha256=</c> + base64(HMAC-SHA256(consumer secret, raw body bytes)).</summary>
public static class XWebhookSigner
{
    public const string Header = "x-twitter-webhooks-signature";

    public static string Sign(string consumerSecret, byte[] body) =>
        "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(consumerSecret), body));

    /// <summary>The answer to a CRC check (<c>GET ?crc_token=</c>): the same HMAC over the token.</summary>
    public static string CrcResponseToken(string consumerSecret, string crcToken) =>
        Sign(consumerSecret, Encoding.UTF8.GetBytes(crcToken));
}
