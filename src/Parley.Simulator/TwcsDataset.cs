using System.Globalization;
using System.Text;

namespace Parley.Simulator;

/// <summary>Reads the TWCS CSV (<c>tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id</c>)
/// and groups its rows into threads.</summary>
internal static class TwcsDataset
{
    public static List<TwcsTweet> ReadRows(string csvPath)
    {
        using var reader = new StreamReader(csvPath, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var rows = new List<TwcsTweet>();
        Dictionary<string, int>? columns = null;
        foreach (var record in CsvRecords.Read(reader))
        {
            if (columns is null)
            {
                columns = record.Select((name, i) => (name.Trim(), i)).ToDictionary(p => p.Item1, p => p.i, StringComparer.OrdinalIgnoreCase);
                foreach (var required in new[] { "tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id" })
                {
                    if (!columns.ContainsKey(required)) throw new InvalidDataException($"{csvPath} has no '{required}' column.");
                }
                continue;
            }
            string Field(string name) => columns.TryGetValue(name, out var i) && i < record.Count ? record[i] : "";
            // Rows that do not parse (a truncated export line) are skipped rather than failing the whole replay.
            if (ParseId(Field("tweet_id")) is not { } id || !TryParseTime(Field("created_at"), out var at)) continue;
            rows.Add(new TwcsTweet(
                id, Field("author_id").Trim(), string.Equals(Field("inbound").Trim(), "True", StringComparison.OrdinalIgnoreCase), at, Field("text"),
                [.. Field("response_tweet_id").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseId).OfType<long>()],
                ParseId(Field("in_response_to_tweet_id"))));
        }
        return rows;
    }

    /// <summary>Groups rows joined by reply links (union-find), keeps threads with a customer tweet, oldest thread first.</summary>
    public static List<TwcsThread> Threads(List<TwcsTweet> rows)
    {
        var byId = rows.GroupBy(r => r.TweetId).ToDictionary(g => g.Key, g => g.First());
        var parent = byId.Keys.ToDictionary(id => id, id => id);
        long Root(long id)
        {
            while (parent[id] != id) id = parent[id] = parent[parent[id]];
            return id;
        }
        foreach (var row in byId.Values)
        {
            if (row.InResponseToTweetId is { } p && byId.ContainsKey(p)) parent[Root(row.TweetId)] = Root(p);
        }

        return [.. byId.Values
            .GroupBy(r => Root(r.TweetId))
            .Where(g => g.Any(r => r.Inbound))
            .Select(g => new TwcsThread(ReplyOrder([.. g], byId)))
            .OrderBy(t => t.StartedAt)
            .ThenBy(t => t.Tweets[0].TweetId)];
    }

    /// <summary>Time order, except that a reply never comes before what it answers (TWCS ids run backwards
    /// within a thread, and a few timestamps tie or disagree).</summary>
    private static List<TwcsTweet> ReplyOrder(List<TwcsTweet> thread, Dictionary<long, TwcsTweet> byId)
    {
        var effective = new Dictionary<long, (DateTimeOffset At, int Depth)>();
        (DateTimeOffset At, int Depth) Effective(TwcsTweet t, int guard)
        {
            if (effective.TryGetValue(t.TweetId, out var known)) return known;
            var result = (t.CreatedAt, 0);
            if (guard < 1000 && t.InResponseToTweetId is { } p && byId.TryGetValue(p, out var parentTweet) && parentTweet.TweetId != t.TweetId)
            {
                var (parentAt, parentDepth) = Effective(parentTweet, guard + 1);
                result = (parentAt > t.CreatedAt ? parentAt : t.CreatedAt, parentDepth + 1);
            }
            return effective[t.TweetId] = result;
        }
        return [.. thread.OrderBy(t => Effective(t, 0).At).ThenBy(t => Effective(t, 0).Depth).ThenBy(t => t.TweetId)];
    }

    private static long? ParseId(string value)
    {
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        // The raw pandas export wrote ids as floats ("119237.0").
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && d == Math.Floor(d) ? (long)d : null;
    }

    /// <summary>X's classic format, <c>Tue Oct 31 22:10:47 +0000 2017</c>.</summary>
    public static bool TryParseTime(string value, out DateTimeOffset at)
    {
        at = default;
        var parts = value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6 || parts[4].Length != 5) return false;
        var offset = parts[4][..3] + ":" + parts[4][3..];
        return DateTimeOffset.TryParseExact($"{parts[1]} {parts[2]} {parts[5]} {parts[3]} {offset}", "MMM d yyyy HH:mm:ss zzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }
}
