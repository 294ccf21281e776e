using System.Net;
using System.Net.Sockets;

namespace Parley.Platform.Webhooks;

/// <summary>Which network addresses a webhook may be sent to. A subscription URL is chosen by whoever holds
/// an admin or app key, and Parley POSTs to it from inside the installation's network: without this check a
/// key could make Parley call its own database, the cloud's metadata service (169.254.169.254, which hands out
/// credentials) or anything else on the private network (server-side request forgery). Refused: loopback,
/// private (RFC 1918, IPv6 unique local), link-local (where metadata services live), carrier-grade NAT,
/// "this network", multicast, broadcast and documentation-reserved ranges, also when written as IPv4-mapped IPv6.</summary>
public static class WebhookAddresses
{
    private static readonly (IPAddress Network, int Bits)[] Refused =
    [
        (IPAddress.Parse("0.0.0.0"), 8),         // "this network"
        (IPAddress.Parse("10.0.0.0"), 8),        // private
        (IPAddress.Parse("100.64.0.0"), 10),     // carrier-grade NAT
        (IPAddress.Parse("127.0.0.0"), 8),       // loopback
        (IPAddress.Parse("169.254.0.0"), 16),    // link-local, cloud metadata
        (IPAddress.Parse("172.16.0.0"), 12),     // private
        (IPAddress.Parse("192.0.0.0"), 24),      // IETF protocol assignments
        (IPAddress.Parse("192.0.2.0"), 24),      // documentation
        (IPAddress.Parse("192.168.0.0"), 16),    // private
        (IPAddress.Parse("198.18.0.0"), 15),     // benchmarking
        (IPAddress.Parse("198.51.100.0"), 24),   // documentation
        (IPAddress.Parse("203.0.113.0"), 24),    // documentation
        (IPAddress.Parse("224.0.0.0"), 4),       // multicast
        (IPAddress.Parse("240.0.0.0"), 4),       // reserved, broadcast
        (IPAddress.Parse("::"), 128),            // unspecified
        (IPAddress.Parse("::1"), 128),           // loopback
        (IPAddress.Parse("64:ff9b::"), 96),      // NAT64: an IPv4 address in disguise
        (IPAddress.Parse("100::"), 64),          // discard
        (IPAddress.Parse("2001:db8::"), 32),     // documentation
        (IPAddress.Parse("fc00::"), 7),          // unique local (AWS's IPv6 metadata fd00:ec2::254 is here)
        (IPAddress.Parse("fe80::"), 10),         // link-local
        (IPAddress.Parse("fec0::"), 10),         // site-local (deprecated, still routed by some)
        (IPAddress.Parse("ff00::"), 8),          // multicast
    ];

    /// <summary>Why Parley will not send to this address, or null when it may.</summary>
    public static string? WhyRefused(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var (network, bits) in Refused)
            if (network.AddressFamily == address.AddressFamily && InNetwork(address, network, bits))
                return $"{address} is a private, loopback, link-local or reserved address";
        return null;
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int bits)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        address.TryWriteBytes(a, out var length);
        network.TryWriteBytes(n, out _);
        for (var i = 0; i < length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }

    /// <summary>At subscription time: the host's addresses, each checked. A name that does not resolve yet is let
    /// through (it may be set up later); the dispatcher checks every connection anyway.</summary>
    /// <returns>The first refused address's reason, or null.</returns>
    public static async Task<string?> CheckHostAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return WhyRefused(literal);
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
        return addresses.Select(WhyRefused).FirstOrDefault(r => r is not null) is { } why ? $"{host} resolves to {why}" : null;
    }

    /// <summary>The webhook client's connection step: resolves the host and connects only to an allowed
    /// address, so a name that resolved to a public address when subscribed and to a private one now (DNS
    /// rebinding) is still refused. The check is on the address actually connected to.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<bool> allowPrivate) =>
        async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            var allowed = allowPrivate() ? addresses : addresses.Where(a => WhyRefused(a) is null).ToArray();
            if (allowed.Length == 0)
                throw new HttpRequestException(addresses.Length == 0
                    ? $"{host} does not resolve."
                    : $"Refused: {host} resolves to {WhyRefused(addresses[0])}, which webhooks may not reach (Parley:Webhooks:AllowPrivateAddresses).");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
