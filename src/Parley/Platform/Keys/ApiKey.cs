using System.Security.Cryptography;
using System.Text;

namespace Parley.Platform.Keys;

/// <summary>An application's credential. Only a hash is stored; the key itself is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public string Name { get; init; } = "";
    /// <summary>SHA-256 of the whole key, hex. Keys carry 256 random bits, so a slow password hash
    /// would add latency to every request without adding safety.</summary>
    public string Hash { get; init; } = "";
    /// <summary>The first characters of the key, to tell keys apart in lists and logs.</summary>
    public string Prefix { get; init; } = "";
    public string Scopes { get; init; } = "admin";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The app the key belongs to; null for installation keys (Parley:AdminKey, the demo's),
    /// which carry their own <see cref="Scopes"/>.</summary>
    public Guid? AppId { get; init; }
    /// <summary>When a rotation replaced it: the key works until then, so callers can switch over.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public static string HashOf(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static (ApiKey Entity, string Key) Create(string name, string scopes, DateTimeOffset at, string? key = null, Guid? appId = null)
    {
        key ??= "pk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (new ApiKey
        {
            Name = name,
            Hash = HashOf(key),
            Prefix = key[..Math.Min(8, key.Length)],
            Scopes = scopes,
            CreatedAt = at,
            AppId = appId,
        }, key);
    }
}
