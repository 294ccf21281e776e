using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Simulator;

/// <summary>One webhook delivery of a replay, ready to send at <see cref="At"/>.</summary>
internal sealed record PlannedDelivery(DateTimeOffset At, Uri Url, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers, string Label);

/// <summary>Turns TWCS threads into signed webhook deliveries. X threads: the brand becomes the channel's
/// account and its tweets arrive as the account's own; customers become users <c>customer&lt;id&gt;</c>; tweet
/// ids are offset by 10^18 so they look like X ids and replies still link. Every 4th thread goes to
/// Messenger instead: customers write to the page, brand rows arrive as echoes.</summary>
internal static partial class ReplayPlan
{
    public const long IdOffset = 1_000_000_000_000_000_000;
    private const long PsidOffset = 7_000_000_000_000_000;
    private static readonly TimeSpan MaxGap = TimeSpan.FromSeconds(2);

    [GeneratedRegex(@"(?<![\w@])@(\w{1,15})")]
    private static partial Regex Mention();

    [GeneratedRegex(@"^(?:\s*@\w{1,15})+\s*")]
    private static partial Regex LeadingMentions();

    /// <summary>Real gaps divided by <paramref name="speedup"/>, each capped at two seconds, threads interleaved in time order, starting at <paramref name="start"/>.</summary>
    public static List<PlannedDelivery> Build(ReplayTarget target, IReadOnlyList<TwcsThread> threads, double speedup, DateTimeOffset start)
    {
        if (!(speedup > 0)) throw new ArgumentOutOfRangeException(nameof(speedup), "The speedup must be positive.");
        var useMeta = target.MetaChannelId != Guid.Empty;
        var useX = target.XChannelId != Guid.Empty;
        if (!useMeta && !useX) throw new ArgumentException("The target names neither an X nor a Meta channel.", nameof(target));

        var brands = Brands(threads);
        var account = new SimXUser(target.XAccountId, target.XAccountHandle, target.XAccountHandle, FollowersCount: 250_000, Verified: true);
        var events = threads
            .SelectMany((thread, index) => thread.Tweets.Select((tweet, order) => (Thread: thread, Meta: useMeta && (!useX || index % 4 == 3), Tweet: tweet, Order: order)))
            .OrderBy(e => e.Thread.Tweets.Take(e.Order + 1).Max(t => t.CreatedAt)) // a reply's time is never before its parent's
            .ThenBy(e => e.Order)
            .ToList();

        var deliveries = new List<PlannedDelivery>(events.Count);
        var at = start;
        DateTimeOffset? previous = null;
        foreach (var e in events)
        {
            var original = e.Thread.Tweets.Take(e.Order + 1).Max(t => t.CreatedAt);
            if (previous is { } p)
            {
                var gap = TimeSpan.FromTicks((long)((original - p).Ticks / speedup));
                at += gap < MaxGap ? gap : MaxGap;
            }
            previous = original;
            deliveries.Add(e.Meta ? Messenger(target, e.Thread, e.Tweet, brands, at) : Tweet(target, account, e.Thread, e.Tweet, brands, at));
        }
        return deliveries;
    }

    private static PlannedDelivery Tweet(ReplayTarget target, SimXUser account, TwcsThread thread, TwcsTweet tweet, HashSet<string> brands, DateTimeOffset at)
    {
        SimXUser UserOf(string author) => brands.Contains(author) || author.Length == 0 || !author.All(char.IsAsciiDigit) ? account : Customer(author);
        var parent = tweet.InResponseToTweetId is { } pid ? thread.Tweets.FirstOrDefault(t => t.TweetId == pid) : null;
        SimXUser? repliedTo = parent is not null ? UserOf(parent.AuthorId)
            : tweet.InResponseToTweetId is null ? null
            : LeadingMentions().Match(tweet.Text) is { Success: true } m ? UserOf(m.Value.Trim().Split('@', StringSplitOptions.RemoveEmptyEntries)[0].Trim()) : null;
        var mentioned = Mention().Matches(tweet.Text).Select(m => m.Groups[1].Value).Distinct().Select(UserOf).ToList();

        var sim = new SimTweetEvent(
            (IdOffset + tweet.TweetId).ToString(CultureInfo.InvariantCulture), MapText(tweet.Text, brands, target.XAccountHandle), UserOf(tweet.AuthorId), at,
            tweet.InResponseToTweetId is { } replyTo && repliedTo is not null ? (IdOffset + replyTo).ToString(CultureInfo.InvariantCulture) : null,
            repliedTo, mentioned);
        var body = XPayloads.TweetCreate(target.XAccountId, sim);
        return new PlannedDelivery(at, Endpoint(target, $"webhooks/x/{target.XChannelId}"), body,
            [new(XWebhookSigner.Header, XWebhookSigner.Sign(target.XConsumerSecret, body))],
            $"x tweet {sim.Id} by @{sim.User.ScreenName}");
    }

    private static PlannedDelivery Messenger(ReplayTarget target, TwcsThread thread, TwcsTweet tweet, HashSet<string> brands, DateTimeOffset at)
    {
        var echo = tweet.ByBrand;
        // The page's own messages go to the customer they answer, or the thread's first customer.
        var customer = echo
            ? (thread.Tweets.FirstOrDefault(t => t.TweetId == tweet.InResponseToTweetId && !t.ByBrand) ?? thread.Tweets.FirstOrDefault(t => !t.ByBrand))?.AuthorId ?? "0"
            : tweet.AuthorId;
        // Messenger has no @mentions: the addressing ones at the start go, the rest are mapped like X's.
        var text = MapText(LeadingMentions().Replace(tweet.Text, ""), brands, target.XAccountHandle);
        if (string.IsNullOrWhiteSpace(text)) text = MapText(tweet.Text, brands, target.XAccountHandle);
        var mid = "m_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("twcs:" + tweet.TweetId))).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var body = MetaPayloads.MessengerText(target.MetaPageId, Psid(customer), mid, text, at, echo);
        return new PlannedDelivery(at, Endpoint(target, $"webhooks/meta/{target.MetaChannelId}"), body,
            [new(MetaWebhookSigner.Header, MetaWebhookSigner.Sign(target.MetaAppSecret, body)),
             new(MetaWebhookSigner.LegacyHeader, MetaWebhookSigner.SignSha1(target.MetaAppSecret, body))],
            $"messenger {(echo ? "echo" : "message")} {mid[..12]} with {Psid(customer)}");
    }

    /// <summary>Who stands for the channel's account: every brand that writes in a thread, and for threads
    /// where no brand answered, the first named handle the customer addressed.</summary>
    private static HashSet<string> Brands(IReadOnlyList<TwcsThread> threads)
    {
        var brands = new HashSet<string>(threads.SelectMany(t => t.Tweets).Where(t => t.ByBrand).Select(t => t.AuthorId), StringComparer.OrdinalIgnoreCase);
        foreach (var thread in threads.Where(t => t.Brand is null))
        {
            var addressed = thread.Tweets.Where(t => t.Inbound).SelectMany(t => Mention().Matches(t.Text)).Select(m => m.Groups[1].Value)
                .FirstOrDefault(h => !h.All(char.IsAsciiDigit));
            if (addressed is not null) brands.Add(addressed);
        }
        return brands;
    }

    // Resolved against the base with a trailing slash, so a base with a path keeps its last segment.
    private static Uri Endpoint(ReplayTarget target, string relative)
    {
        var root = target.ParleyBaseAddress.AbsoluteUri;
        return new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), relative);
    }

    private static string MapText(string text, HashSet<string> brands, string handle) =>
        Mention().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            return brands.Contains(name) ? "@" + handle : name.All(char.IsAsciiDigit) ? "@customer" + name : m.Value;
        });

    // Follower counts vary by customer (so prioritising by reach has something to work with) but stay stable across runs.
    private static SimXUser Customer(string id) =>
        new(id, "customer" + id, "Customer " + id, FollowersCount: (int)(long.TryParse(id, CultureInfo.InvariantCulture, out var n) ? n * 7919 % 4000 : 0));

    private static string Psid(string customer) =>
        long.TryParse(customer, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < PsidOffset
            ? (PsidOffset + n).ToString(CultureInfo.InvariantCulture)
            : (PsidOffset + (BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(customer)), 0) & 0xFFFFFFFFFFFF)).ToString(CultureInfo.InvariantCulture);
}
