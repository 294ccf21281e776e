using System.Globalization;

namespace Parley.Simulator;

/// <summary>One page of an X v2 list endpoint: the filters (<c>since_id</c>, <c>until_id</c>,
/// <c>start_time</c>, <c>end_time</c>), <c>max_results</c> and <c>pagination_token</c>, applied to a
/// list that is already newest first.</summary>
internal static class XTimelinePage
{
    public sealed record Page<T>(IReadOnlyList<T> Items, string? NextToken);

    /// <summary>The page, or an error message in X's wording for a bad parameter.</summary>
    public static (Page<T>? Page, string? Error) Take<T>(
        IReadOnlyList<T> newestFirst, Func<T, string> id, Func<T, DateTimeOffset> at, IQueryCollection query, int min, int max, int fallback)
    {
        var size = fallback;
        if (query["max_results"].FirstOrDefault() is { } raw)
        {
            if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < min || size > max)
                return (null, $"The `max_results` query parameter value [{raw}] is not between {min} and {max}");
        }

        var sinceId = query["since_id"].FirstOrDefault();
        var untilId = query["until_id"].FirstOrDefault();
        // The token names the oldest id of the previous page; the next page starts below it.
        if (query["pagination_token"].FirstOrDefault() is { Length: > 1 } token && token[0] == 'p') untilId = token[1..];
        foreach (var (name, value) in new[] { ("since_id", sinceId), ("until_id", untilId) })
        {
            if (value is not null && !NumericIds.IsNumeric(value))
                return (null, $"The `{name}` query parameter value [{value}] does not match ^[0-9]{{1,19}}$");
        }

        if (!TryTime(query, "start_time", out var start, out var error) || !TryTime(query, "end_time", out var end, out error))
            return (null, error);

        var matching = newestFirst.Where(item =>
            (sinceId is null || NumericIds.Compare(id(item), sinceId) > 0)
            && (untilId is null || NumericIds.Compare(id(item), untilId) < 0)
            && (start is null || at(item) >= start)
            && (end is null || at(item) < end)).ToList();
        var items = matching.Take(size).ToList();
        var next = matching.Count > size ? "p" + id(items[^1]) : null;
        return (new Page<T>(items, next), null);
    }

    private static bool TryTime(IQueryCollection query, string name, out DateTimeOffset? value, out string? error)
    {
        value = null;
        error = null;
        if (query[name].FirstOrDefault() is not { } raw) return true;
        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }
        error = $"Invalid '{name}':'{raw}'. '{name}' must be a valid RFC 3339 date.";
        return false;
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
