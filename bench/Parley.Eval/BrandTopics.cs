using Parley.Triage;

namespace Parley.Eval;

/// <summary>Topic rules as each brand would write them in Parley: a few keywords per topic, from the topic's
/// name and the brand's products. Written once before measuring; not tuned on the labelled tweets.</summary>
internal static class BrandTopics
{
    public static readonly string[] Brands = ["AmazonHelp", "AppleSupport", "SpotifyCares"];

    public static TriageRules For(string brand) => new() { Topics = brand switch
    {
        "AmazonHelp" =>
        [
            new("Delivery", ["deliver*", "package", "packages", "parcel", "shipping", "shipped", "shipment", "courier", "driver", "arrive*", "tracking", "dispatch*"]),
            new("Prime", ["prime"]),
            new("Alexa", ["alexa"]),
            new("Kindle", ["kindle*"]),
            new("Echo", ["echo", "echo dot"]),
            new("Fire TV", ["fire tv", "firestick", "fire stick", "firetv"]),
            new("Bad Support", ["customer service", "customer support", "no help", "unhelpful", "useless", "worst service", "terrible service", "poor service"]),
            new("Service Praise", ["great service", "excellent service", "amazing service", "thank you", "thanks", "helpful"]),
            new("Order Cancellation", ["cancel*"]),
            new("Return", ["return*"]),
            new("Refund", ["refund*", "money back"]),
            new("Replacement", ["replace*"]),
            new("Account", ["account", "login", "log in", "password", "sign in"]),
            new("Packaging", ["packaging", "box", "boxes", "packed", "wrapped", "wrapping"]),
        ],
        "AppleSupport" =>
        [
            new("iPhone", ["iphone*", "phone"]),
            new("Update", ["update*", "upgrade*", "ios*"]),
            new("Battery", ["batter*", "charging", "drain*"]),
            new("Unresponsive/Freezing Device", ["freez*", "froze", "frozen", "unresponsive", "not responding", "crash*", "lag*", "won't turn on", "restart*"]),
            new("iPad", ["ipad*"]),
            new("Mac", ["mac", "macbook*", "imac", "macos", "high sierra"]),
            new("TV", ["apple tv", "appletv", "tvos"]),
            new("Watch", ["watch", "apple watch", "watchos"]),
            new("iCloud", ["icloud"]),
            new("Apple Pay", ["apple pay", "applepay"]),
            new("iTunes", ["itunes"]),
            new("Refund", ["refund*", "money back"]),
        ],
        _ =>
        [
            new("Song/Artist", ["song*", "artist*", "album*", "track", "tracks", "music"]),
            new("App", ["app", "application"]),
            new("Playlist", ["playlist*"]),
            new("Premium", ["premium"]),
            new("Student Subscription", ["student*"]),
            new("Family Subscription", ["family"]),
            new("Account", ["account", "login", "log in", "password", "email"]),
            new("Billing/Payment", ["charg*", "bill*", "payment*", "paid", "pay", "card", "refund*"]),
            new("Hulu", ["hulu"]),
            new("Advertisement", ["ad", "ads", "advert*", "commercial*"]),
        ],
    } };
}
