namespace Parley.Eval;

/// <summary>One labelled text; <see cref="Weight"/> lets a training source count for less than another.</summary>
internal sealed record Labelled(string Text, string Label, float Weight = 1f);

/// <summary>Readers for the labelled datasets in shared/data, each in its authors' own format.</summary>
internal static partial class Datasets
{
    public static readonly string[] SentimentLabels = ["negative", "neutral", "positive"];

    /// <summary>A TweetEval task folder: {split}_text.txt and {split}_labels.txt, labels as ids whose names
    /// are in mapping.txt (sentiment: 0 negative, 1 neutral, 2 positive).</summary>
    public static List<Labelled> TweetEval(string folder, string split, IReadOnlyList<string> names)
    {
        var texts = File.ReadAllLines(Path.Combine(folder, $"{split}_text.txt"));
        var labelsPath = Path.Combine(folder, $"{split}_labels.txt");
        if (!File.Exists(labelsPath)) throw new FileNotFoundException($"No labels for split '{split}' in {folder}.", labelsPath);
        var labels = File.ReadAllLines(labelsPath).Where(l => l.Trim().Length > 0).ToArray();
        if (labels.Length != texts.Length)
            throw new InvalidDataException($"{folder}: {texts.Length} texts but {labels.Length} labels for split '{split}'.");
        return texts.Select((t, i) => new Labelled(DecodeEscapes(t), names[int.Parse(labels[i].Trim(), System.Globalization.CultureInfo.InvariantCulture)])).ToList();
    }

    /// <summary>Some TweetEval sentiment tweets carry JSON escapes as literal text ("you\u2019re"); a
    /// network's API would have delivered the characters themselves.</summary>
    private static string DecodeEscapes(string text) =>
        !text.Contains("\\u", StringComparison.Ordinal) ? text : EscapePattern().Replace(text,
            m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [System.Text.RegularExpressions.GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial System.Text.RegularExpressions.Regex EscapePattern();

    /// <summary>The airline tweets, split by tweet id into a fixed 80% train and 20% test portion
    /// (no official split exists; the id keeps the split stable across runs and machines).</summary>
    public static List<Labelled> Airline(string path, string portion)
    {
        var rows = CsvFile.Read(path);
        return rows.Where(r => portion == "all" || (IsAirlineTest(r["tweet_id"]) == (portion == "test")))
            .Select(r => new Labelled(r["text"], r["airline_sentiment"])).ToList();
    }

    public static bool IsAirlineTest(string tweetId) =>
        ulong.Parse(tweetId, System.Globalization.CultureInfo.InvariantCulture) % 5 == 0;

    /// <summary>TweetEval emotion, mapped to polarity: anger and sadness are negative, joy and optimism
    /// positive. It adds general-domain opinionated tweets that the airline set lacks.</summary>
    public static List<Labelled> EmotionAsSentiment(string folder, string split) =>
        TweetEval(folder, split, ["anger", "joy", "optimism", "sadness"])
            .Select(e => e with { Label = e.Label is "anger" or "sadness" ? "negative" : "positive" }).ToList();

    /// <summary>TweetEval emoji (the emoji removed from each tweet is its label) as distant supervision:
    /// faces and hearts mark positive tweets, cameras mostly mark plain photo posts (neutral); flags,
    /// fire, sun and trees say little about polarity and are left out.</summary>
    public static List<Labelled> EmojiAsSentiment(string folder)
    {
        var texts = File.ReadAllLines(Path.Combine(folder, "train_text.txt"));
        var labels = File.ReadAllLines(Path.Combine(folder, "train_labels.txt"));
        var result = new List<Labelled>();
        for (var i = 0; i < texts.Length; i++)
        {
            var label = int.Parse(labels[i], System.Globalization.CultureInfo.InvariantCulture) switch
            {
                0 or 1 or 2 or 3 or 5 or 8 or 9 or 13 or 16 => "positive",
                10 or 18 => "neutral",
                _ => null,
            };
            if (label is not null) result.Add(new Labelled(texts[i], label));
        }
        return result;
    }

    /// <summary>Texts of other TweetEval training splits, without their labels.</summary>
    public static List<string> UnlabelledPool(string data, string names) =>
        names.Split(',').SelectMany(n => File.ReadAllLines(Path.Combine(data, "tweeteval", "datasets", n, "train_text.txt"))).ToList();

    /// <summary>Bitext's 27 intents mapped onto Parley's (see docs/adr/0007-triage-models.md).</summary>
    public static string MapBitextIntent(string intent) => intent switch
    {
        "create_account" or "edit_account" or "switch_account" or "registration_problems" or "recover_password" => "AccountAccess",
        "delete_account" or "cancel_order" or "check_cancellation_fee" => "Cancellation",
        "contact_customer_service" or "contact_human_agent" => "ContactRequest",
        "delivery_options" or "delivery_period" or "track_order" or "change_shipping_address" or "set_up_shipping_address" => "Delivery",
        "complaint" => "Complaint",
        "review" => "Feedback",
        "check_invoice" or "check_invoices" or "get_invoice" or "check_payment_methods" or "payment_issue" => "Billing",
        "change_order" or "place_order" => "Order",
        "check_refund_policy" or "get_refund" or "track_refund" => "Refund",
        _ => "Other", // newsletter_subscription
    };

    /// <summary>Both Bitext files (or the one file <paramref name="path"/> names), de-duplicated by utterance, split 80/20 by a hash of the utterance so an
    /// utterance in both files can never be on both sides.</summary>
    public static List<Labelled> Bitext(string path, string portion)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<Labelled>();
        string[] files = File.Exists(path) ? [path] : [.. Directory.GetFiles(path, "*.csv").Order(StringComparer.Ordinal)];
        foreach (var file in files)
        {
            foreach (var row in CsvFile.Read(file))
            {
                var text = row["utterance"].Trim();
                if (!seen.Add(text)) continue;
                var isTest = StableHash(text.ToLowerInvariant()) % 5 == 0;
                if (portion != "all" && isTest != (portion == "test")) continue;
                result.Add(new Labelled(text, MapBitextIntent(row["intent"])));
            }
        }
        return result;
    }

    /// <summary>FNV-1a: string.GetHashCode differs between runs, a split must not.</summary>
    public static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    /// <summary>All customer texts in the TWCS files (for false-positive counts of the sensitive-data scan).</summary>
    public static List<string> TwcsTexts(string path) => CsvFile.Read(path).Select(r => r["text"]).ToList();
}
