using System.Globalization;
using System.Text;

namespace Parley.Tests.Promises;

/// <summary>One row of the Kaggle "Customer Support on Twitter" export the demo ships.</summary>
public sealed record TwcsRow(string TweetId, string AuthorId, DateTimeOffset CreatedAt, IReadOnlyList<string> ResponseTweetIds, string? InResponseToTweetId)
{
    /// <summary>Brands are named accounts; customers were anonymised to numbers.</summary>
    public bool ByBrand => !AuthorId.All(char.IsAsciiDigit);

    public static string DatasetPath => Path.Combine(AppContext.BaseDirectory, "datasets", "twcs", "twcs_first5000_rows_normalized.csv");

    public static IReadOnlyList<TwcsRow> Load()
    {
        var records = ReadCsv(File.ReadAllText(DatasetPath));
        var header = records[0];
        int Column(string name) => header.IndexOf(name);
        var (id, author, created, responses, inResponseTo) =
            (Column("tweet_id"), Column("author_id"), Column("created_at"), Column("response_tweet_id"), Column("in_response_to_tweet_id"));
        return [.. records.Skip(1).Select(r => new TwcsRow(
            r[id], r[author],
            DateTimeOffset.ParseExact(r[created], "ddd MMM dd HH:mm:ss '+0000' yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            r[responses].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            r[inResponseTo].Length == 0 ? null : r[inResponseTo]))];
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks (tweets do).</summary>
    private static List<List<string>> ReadCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') field.Append(text[++i]);
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || record.Count > 0) { record.Add(field.ToString()); records.Add(record); }
        return records;
    }
}
