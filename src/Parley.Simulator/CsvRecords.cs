using System.Text;

namespace Parley.Simulator;

/// <summary>Reads CSV as RFC 4180 defines it: fields separated by commas, records by line breaks, fields
/// optionally quoted, a doubled quote inside quotes standing for one. Line breaks inside quotes (CR, LF or
/// both) belong to the field. Outside quotes CRLF, LF and a lone CR all end a record; blank lines are skipped.
/// A quote inside an unquoted field is kept as text (exports do that).</summary>
internal static class CsvRecords
{
    public static IEnumerable<List<string>> Read(TextReader reader)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var quoted = false; // the current field started with a quote
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch != '"') field.Append(ch);
                else if (reader.Peek() == '"') field.Append((char)reader.Read());
                else inQuotes = false;
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0 && !quoted:
                    inQuotes = quoted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    quoted = false;
                    break;
                case '\r' or '\n':
                    if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                    if (record.Count > 0 || field.Length > 0 || quoted)
                    {
                        record.Add(field.ToString());
                        yield return record;
                        record = [];
                    }
                    field.Clear();
                    quoted = false;
                    break;
                default:
                    field.Append(ch);
                    break;
            }
        }
        // The last record may lack a final line break; an unterminated quote keeps what it read.
        if (record.Count > 0 || field.Length > 0 || quoted)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
