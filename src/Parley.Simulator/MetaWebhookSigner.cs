using System.Security.Cryptography;
using System.Text;

namespace Parley.Simulator;

/// <summary>Signs a webhook delivery as Meta does: <c>X-Hub-Signature-256: sha256=</c> + lowercase hex
/// HMAC-SHA256(app secret, raw body bytes). Meta still sends the SHA-1 <c>X-Hub-Signature</c> beside it.</summary>
public static class MetaWebhookSigner
{
    public const string Header = "X-Hub-Signature-256";
    public const string LegacyHeader = "X-Hub-Signature";

    public static string Sign(string appSecret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    /// <summary>The legacy SHA-1 header, sent only because Meta sends it; receivers should check the SHA-256 one.</summary>
#pragma warning disable CA5350 // Reproduces what Meta sends; not used to protect anything here.
    public static string SignSha1(string appSecret, byte[] body) =>
        "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(appSecret), body));
#pragma warning restore CA5350
}
