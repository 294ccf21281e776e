using System.Globalization;
using System.Text.Json;

namespace Parley.Ingest;

/// <summary>Reads fields from a network's JSON and says exactly which one is wrong when it is.
/// Networks send ids as strings or numbers and times in several forms; these readers accept what
/// the networks document and nothing that could be misread.</summary>
public static class PayloadReader
{
    public static JsonDocument Parse(byte[] body)
    {
        try { return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 }); }
        catch (JsonException e) { throw new MalformedPayloadException($"The body is not valid JSON: {e.Message}"); }
    }

    public static JsonElement RootObject(JsonDocument doc) => doc.RootElement.ValueKind == JsonValueKind.Object
        ? doc.RootElement
        : throw new MalformedPayloadException($"The body must be a JSON object, not {Kind(doc.RootElement)}.");

    /// <summary>A field of an object, or null when absent or JSON null. Throws as malformed when
    /// <paramref name="obj"/> is not an object (a list item that should have been one).</summary>
    public static JsonElement? Optional(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            throw new MalformedPayloadException($"Expected an object with '{name}', found {Kind(obj)}.");
        return obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public static JsonElement RequiredObject(JsonElement obj, string name, string path) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.Object } v ? v
            : throw Wrong(obj, name, path, "an object");

    public static JsonElement.ArrayEnumerator? OptionalArray(JsonElement obj, string name, string path) =>
        Optional(obj, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } v => v.EnumerateArray(),
            _ => throw Wrong(obj, name, path, "an array"),
        };

    public static string? OptionalString(JsonElement obj, string name, string path) =>
        Optional(obj, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            _ => throw Wrong(obj, name, path, "a string"),
        };

    public static string RequiredString(JsonElement obj, string name, string path) =>
        OptionalString(obj, name, path) ?? throw Wrong(obj, name, path, "a string");

    /// <summary>An id sent as a string or as an integer (X sends both; a large integer loses
    /// precision in JavaScript, so the string form wins when present).</summary>
    public static string? OptionalId(JsonElement obj, string name, string path) =>
        Optional(obj, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } v when !string.IsNullOrWhiteSpace(v.GetString()) => v.GetString(),
            { ValueKind: JsonValueKind.Number } v when v.TryGetUInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
            _ => throw Wrong(obj, name, path, "an id (a non-empty string or a whole number)"),
        };

    public static string RequiredId(JsonElement obj, string name, string path) =>
        OptionalId(obj, name, path) ?? throw Wrong(obj, name, path, "an id");

    public static int? OptionalInt(JsonElement obj, string name) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var n) ? n : null;

    public static bool OptionalBool(JsonElement obj, string name) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.True };

    /// <summary>Epoch milliseconds or seconds (number or numeric string), RFC 3339, or X's
    /// "Thu Nov 15 23:31:30 +0000 2018".</summary>
    public static DateTimeOffset? OptionalTime(JsonElement obj, string name, string path)
    {
        var v = Optional(obj, name);
        if (v is null) return null;
        var e = v.Value;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n)) return FromEpoch(n);
        if (e.ValueKind == JsonValueKind.String && TimeFromString(e.GetString()!) is { } t) return t;
        throw Wrong(obj, name, path, ExpectedTime);
    }

    public const string ExpectedTime = "a time (epoch milliseconds or an ISO 8601 string)";

    /// <summary>A time sent as a string (see <see cref="OptionalTime"/>); null when it is none.</summary>
    public static DateTimeOffset? TimeFromString(string s)
    {
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var sn)) return FromEpoch(sn);
        if (DateTimeOffset.TryParseExact(s, "ddd MMM dd HH:mm:ss zzz yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var x))
            return x.ToUniversalTime();
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
            return iso.ToUniversalTime();
        return null;
    }

    // Anything below 10^11 is seconds: as milliseconds it would be before March 1973.
    public static DateTimeOffset FromEpoch(long n)
    {
        try
        {
            return n < 100_000_000_000 ? DateTimeOffset.FromUnixTimeSeconds(n) : DateTimeOffset.FromUnixTimeMilliseconds(n);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new MalformedPayloadException($"The time {n} is outside any date a network could mean.");
        }
    }

    private static MalformedPayloadException Wrong(JsonElement obj, string name, string path, string expected)
    {
        var found = obj.TryGetProperty(name, out var v) ? Kind(v) : "nothing";
        return new MalformedPayloadException($"'{path}.{name}' must be {expected}; found {found}.");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
