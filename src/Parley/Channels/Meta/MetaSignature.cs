using System.Security.Cryptography;
using System.Text;

namespace Parley.Channels.Meta;

/// <summary>Meta's <c>X-Hub-Signature-256</c>: "sha256=" and the lowercase hex HMAC-SHA256 of the
/// raw body, keyed with the app secret.</summary>
public static class MetaSignature
{
    public const string Header = "X-Hub-Signature-256";

    public static string Sign(string appSecret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    public static bool Verify(string appSecret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase)) return false;
        var hex = header.AsSpan("sha256=".Length);
        if (hex.Length != 64) return false;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32) return false;
        Span<byte> expected = stackalloc byte[32];
        HmacKey.Sign(appSecret, body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
