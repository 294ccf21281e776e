using System.Text;

namespace Parley.Eval;

/// <summary>Reads RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks) into rows keyed
/// by the header's column names. The datasets are a few megabytes, so reading whole files is fine.</summary>
internal static class CsvFile
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        var text = File.ReadAllText(path);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var rows = Parse(text);
        if (rows.Count == 0) return [];
        var header = rows[0];
        var result = new List<Dictionary<string, string>>(rows.Count - 1);
        foreach (var row in rows.Skip(1))
        {
            if (row.Count == 1 && row[0].Length == 0) continue;
            var record = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++) record[header[i]] = i < row.Count ? row[i] : "";
            result.Add(record);
        }
        return result;
    }

    private static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n': break;
                case '\n':
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add(row);
                    row = [];
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }
}
