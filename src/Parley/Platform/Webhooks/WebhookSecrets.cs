using Microsoft.AspNetCore.DataProtection;

namespace Parley.Platform.Webhooks;

/// <summary>Signing secrets must be readable to sign with, so they are encrypted at rest (like channel
/// credentials) rather than hashed like API keys.</summary>
public static class WebhookSecrets
{
    public static IDataProtector Protector(IDataProtectionProvider provider) => provider.CreateProtector("Parley.Webhooks.Secret.v1");
}
