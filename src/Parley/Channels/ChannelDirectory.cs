using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Parley.Data;

namespace Parley.Channels;

/// <summary>Finds a channel with its credentials decrypted. Webhooks arrive hundreds of times a
/// second, so decrypted channels are kept in memory for a short while.</summary>
public sealed class ChannelDirectory(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Guid, (ChannelRuntime? Channel, DateTimeOffset Until)> _cache = new();
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Channels.Secrets.v1");

    public string Protect(string secretsJson) => _protector.Protect(secretsJson);

    /// <summary>A ValueTask: nearly every call is a hit, answered without a task allocated (docs/adr/0050).</summary>
    public ValueTask<ChannelRuntime?> FindAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return _cache.TryGetValue(id, out var hit) && hit.Until > now ? new ValueTask<ChannelRuntime?>(hit.Channel) : new(LoadAsync(id, now, ct));
    }

    private async Task<ChannelRuntime?> LoadAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        var runtime = channel is null ? null : ChannelSettingsParser.ToRuntime(channel, _protector.Unprotect(channel.ProtectedSecrets));
        _cache[id] = (runtime, now + Lifetime);
        return runtime;
    }

    public void Forget(Guid id) => _cache.TryRemove(id, out _);
}
