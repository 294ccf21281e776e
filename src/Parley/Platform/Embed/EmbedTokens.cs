using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Parley.Platform.Embed;

/// <summary>Short-lived tokens that let another app show one customer's card in an iframe, so no API key
/// ever travels in a URL. A token names the contact and the brand it was minted for and when it
/// expires, and is sealed with ASP.NET Data Protection (authenticated encryption under this
/// installation's keys and a purpose of its own): it cannot be read, forged or altered. Expiry is
/// checked against the app's <see cref="TimeProvider"/> rather than the time-limited protector's
/// built-in system clock, so tests can move time (docs/adr/0018).</summary>
public sealed class EmbedTokens(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const string Version = "v1";
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Embed.ContactCard", Version);

    public sealed record Minted(string Token, DateTimeOffset ExpiresAt);

    public Minted Mint(Guid contactId, Guid brandId)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        var payload = string.Join('|', Version, contactId.ToString("N"), brandId.ToString("N"),
            expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return new Minted(_protector.Protect(payload), expires);
    }

    public abstract record Check
    {
        public sealed record Valid(Guid ContactId, Guid BrandId) : Check;
        public sealed record Missing : Check;
        public sealed record Invalid : Check;
        public sealed record Expired(DateTimeOffset At) : Check;
        public sealed record OtherContact : Check;
    }

    public Check Verify(string? token, Guid contactId)
    {
        if (string.IsNullOrWhiteSpace(token)) return new Check.Missing();
        string payload;
        try { payload = _protector.Unprotect(token); }
        catch (CryptographicException) { return new Check.Invalid(); }
        catch (FormatException) { return new Check.Invalid(); }
        var parts = payload.Split('|');
        if (parts.Length != 4 || parts[0] != Version || !Guid.TryParseExact(parts[1], "N", out var contact)
            || !Guid.TryParseExact(parts[2], "N", out var brand) || !long.TryParse(parts[3], CultureInfo.InvariantCulture, out var ms))
            return new Check.Invalid();
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (clock.GetUtcNow() >= expires) return new Check.Expired(expires);
        return contact == contactId ? new Check.Valid(contact, brand) : new Check.OtherContact();
    }
}
