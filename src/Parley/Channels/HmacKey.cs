using System.Security.Cryptography;
using System.Text;

namespace Parley.Channels;

/// <summary>HMAC-SHA256 keyed with a channel's secret as UTF-8, the key encoded on the stack: webhook
/// signatures are checked on every delivery, and the key bytes need not outlive the check.</summary>
public static class HmacKey
{
    public static void Sign(string secret, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (Encoding.UTF8.GetMaxByteCount(secret.Length) > 256)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data, mac);
            return;
        }
        Span<byte> key = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(secret, key);
        HMACSHA256.HashData(key[..length], data, mac);
        CryptographicOperations.ZeroMemory(key[..length]);
    }
}
