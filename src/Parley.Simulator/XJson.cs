using System.Text.Encodings.Web;
using System.Text.Json;

namespace Parley.Simulator;

/// <summary>Writes JSON byte for byte as X's Account Activity API does: compact, non-ASCII text raw in UTF-8,
/// and only <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> (besides quotes, backslashes and control characters) escaped,
/// as <c>\u003c</c>, <c>\u003e</c>, <c>\u0026</c>. Signatures are computed over exactly these bytes.</summary>
internal static class XJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options)) write(writer);
        return EscapeHtml(buffer.ToArray());
    }

    /// <summary>X writes ids both as numbers and as <c>_str</c> strings; a non-numeric id can only be a string.</summary>
    public static void Id(Utf8JsonWriter writer, string name, string? id)
    {
        if (id is null) writer.WriteNull(name);
        else if (NumericIds.IsNumeric(id)) { writer.WritePropertyName(name); writer.WriteRawValue(id.TrimStart('0') is { Length: > 0 } n ? n : "0"); }
        else writer.WriteString(name, id);
    }

    // Outside strings JSON has no '<', '>' or '&', so replacing every occurrence only touches string contents.
    private static byte[] EscapeHtml(byte[] json)
    {
        var extra = json.Count(b => b is (byte)'<' or (byte)'>' or (byte)'&');
        if (extra == 0) return json;
        var result = new byte[json.Length + (extra * 5)];
        var at = 0;
        foreach (var b in json)
        {
            var escape = b switch { (byte)'<' => "\\u003c", (byte)'>' => "\\u003e", (byte)'&' => "\\u0026", _ => null };
            if (escape is null) { result[at++] = b; continue; }
            foreach (var c in escape) result[at++] = (byte)c;
        }
        return result;
    }
}
