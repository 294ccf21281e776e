using System.Security.Cryptography;
using System.Text;

namespace Parley.Channels.X;

/// <summary>X's Account Activity API checks: the challenge-response check (CRC) and the
/// <c>x-twitter-webhooks-signature</c> header, both HMAC-SHA256 with the app's consumer secret.</summary>
public static class XSignature
{
    public const string Header = "x-twitter-webhooks-signature";

    public static string CrcResponseToken(string consumerSecret, string crcToken) =>
        "sha256=" + Convert.ToBase64String(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(consumerSecret), Encoding.UTF8.GetBytes(crcToken)));

    /// <summary>True when <paramref name="header"/> is "sha256=" and the base64 HMAC of the raw body.</summary>
    public static bool Verify(string consumerSecret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        Span<byte> given = stackalloc byte[32];
        if (!Convert.TryFromBase64Chars(header.AsSpan("sha256=".Length), given, out var written) || written != 32) return false;
        Span<byte> expected = stackalloc byte[32];
        HmacKey.Sign(consumerSecret, body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
