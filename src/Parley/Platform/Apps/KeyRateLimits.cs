using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Parley.Platform.Keys;

namespace Parley.Platform.Apps;

/// <summary>Each app key gets its own token bucket of the app's requests-a-minute: a burst up to a
/// minute's worth, refilled evenly. Installation keys and people are not limited here. Buckets live in
/// memory per node; with several nodes behind a balancer the limit applies on each.</summary>
public static class KeyRateLimits
{
    public static IServiceCollection AddKeyRateLimits(this IServiceCollection services) => services.AddRateLimiter(o =>
    {
        o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var key = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
            if (key is null || !int.TryParse(http.User.FindFirstValue(ApiKeyAuthentication.RateClaim), CultureInfo.InvariantCulture, out var perMinute))
                return RateLimitPartition.GetNoLimiter("");
            // The limit is part of the partition, so changing an app's limit takes effect at once.
            return RateLimitPartition.GetTokenBucketLimiter($"{key}:{perMinute}", _ => BucketFor(perMinute));
        });
        o.OnRejected = RejectAsync;
    });

    public static TokenBucketRateLimiterOptions BucketFor(int perMinute)
    {
        // The partitioned limiter refills every 100 ms at best, so fast limits refill once a second in larger steps.
        var (period, tokens) = perMinute >= 60
            ? (TimeSpan.FromSeconds(1), (int)Math.Ceiling(perMinute / 60.0))
            : (TimeSpan.FromMinutes(1) / perMinute, 1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This key has used its app's requests for now ({http.User.FindFirstValue(ApiKeyAuthentication.RateClaim)} a minute). Try again in {seconds} s, or ask an admin to raise the app's rateLimitPerMinute.",
                Extensions = { ["retryAfterSeconds"] = seconds },
            },
        });
    }
}
