using System.Text;

namespace Parley.Triage;

public enum SensitiveKind { CardNumber, Iban, Phone, Email, OrderNumber }

/// <summary>Where in the text a sensitive value sits.</summary>
public readonly record struct SensitiveMatch(SensitiveKind Kind, int Start, int Length);

public sealed record SensitiveDataResult(IReadOnlyList<SensitiveMatch> Matches)
{
    public static readonly SensitiveDataResult None = new([]);
    public bool Any => Matches.Count > 0;
    public bool Has(SensitiveKind kind) => Matches.Any(m => m.Kind == kind);
}

/// <summary>Finds card numbers, IBANs, phone numbers, e-mail addresses and order or account numbers,
/// and masks them for public views and exports. Card numbers count only when the Luhn check passes
/// and IBANs only when the ISO 7064 mod-97 check passes, so ordinary long numbers (tracking codes,
/// tweet ids) are not masked by mistake.</summary>
public static class SensitiveData
{
    public static SensitiveDataResult Find(string text)
    {
        if (!MayHoldAny(text)) return SensitiveDataResult.None;
        List<SensitiveMatch>? matches = null;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var length = 0;
            var kind = SensitiveKind.CardNumber;
            if (char.IsAsciiDigit(c) && StartsToken(text, i))
            {
                if ((length = DigitRun.CardAt(text, i)) > 0) kind = SensitiveKind.CardNumber;
                else if ((length = DigitRun.PhoneAt(text, i)) > 0) kind = SensitiveKind.Phone;
            }
            else if (char.IsAsciiLetter(c) && StartsToken(text, i) && (length = IbanAt(text, i)) > 0) kind = SensitiveKind.Iban;
            else if (c == '+' && (length = DigitRun.PhoneAt(text, i)) > 0) kind = SensitiveKind.Phone;
            else if (c == '(' && (length = DigitRun.PhoneAt(text, i)) > 0) kind = SensitiveKind.Phone;
            else if (c == '@' && (length = EmailAround(text, i, out var start)) > 0)
            {
                // The local part was already passed over; drop any match that overlaps it (a loop, not a
                // lambda: a closure over `start` would be allocated for every character scanned).
                while (matches is { Count: > 0 } && matches[^1].Start + matches[^1].Length > start) matches.RemoveAt(matches.Count - 1);
                (matches ??= []).Add(new SensitiveMatch(SensitiveKind.Email, start, length));
                i = start + length;
                continue;
            }
            else if (char.IsAsciiLetter(c) && StartsToken(text, i) && (length = OrderNumber.At(text, i, out var numberStart)) > 0)
            {
                // "acct DE89 3704..." names an IBAN, "card 4111111111111111" a card: those checks are stronger.
                if (IbanAt(text, numberStart) > 0 || DigitRun.CardAt(text, numberStart) > 0)
                {
                    i = numberStart;
                    continue;
                }
                (matches ??= []).Add(new SensitiveMatch(SensitiveKind.OrderNumber, numberStart, length - (numberStart - i)));
                i += length;
                continue;
            }
            if (length > 0)
            {
                (matches ??= []).Add(new SensitiveMatch(kind, i, length));
                i += length;
            }
            else if (char.IsAsciiLetterOrDigit(c))
            {
                // Nothing starts inside a word: go to its end in one step.
                i++;
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i])) i++;
            }
            else i++;
        }
        return matches is null ? SensitiveDataResult.None : new SensitiveDataResult(matches);
    }

    /// <summary>Every value Parley masks holds a digit, except an e-mail address, which holds an '@' right
    /// after a letter or digit (a mention has a space or nothing before it). Most posts have neither.</summary>
    private static bool MayHoldAny(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAnyInRange('0', '9') >= 0) return true;
        for (var at = span.IndexOf('@'); at >= 0; at = span.Slice(at + 1).IndexOf('@') is var next && next >= 0 ? at + 1 + next : -1)
            if (at > 0 && IsLocalChar(span[at - 1])) return true;
        return false;
    }

    /// <summary>The text with every sensitive value replaced: card numbers keep their last four digits
    /// ("•••• •••• •••• 1111") so a customer can still tell which card was meant.</summary>
    public static string MaskSensitive(string text) => Mask(text, Find(text));

    public static string Mask(string text, SensitiveDataResult found)
    {
        if (!found.Any) return text;
        var sb = new StringBuilder(text.Length);
        var at = 0;
        foreach (var m in found.Matches.OrderBy(m => m.Start))
        {
            if (m.Start < at) continue;
            sb.Append(text, at, m.Start - at);
            var value = text.AsSpan(m.Start, m.Length);
            switch (m.Kind)
            {
                case SensitiveKind.CardNumber: MaskDigits(sb, value, keepLast: 4); break;
                case SensitiveKind.Iban: MaskAlphanumerics(sb, value, keepFirst: 2, keepLast: 4); break;
                case SensitiveKind.Phone: MaskDigits(sb, value, keepLast: 2); break;
                case SensitiveKind.OrderNumber: MaskAlphanumerics(sb, value, keepFirst: 0, keepLast: 3); break;
                case SensitiveKind.Email:
                    var atSign = value.IndexOf('@');
                    sb.Append(value[0]).Append("•••").Append(value[atSign..]);
                    break;
            }
            at = m.Start + m.Length;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }

    private static void MaskDigits(StringBuilder sb, ReadOnlySpan<char> value, int keepLast)
    {
        var digits = 0;
        foreach (var c in value) if (char.IsAsciiDigit(c)) digits++;
        var seen = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c)) { sb.Append(c); continue; }
            sb.Append(seen++ >= digits - keepLast ? c : '•');
        }
    }

    private static void MaskAlphanumerics(StringBuilder sb, ReadOnlySpan<char> value, int keepFirst, int keepLast)
    {
        var count = 0;
        foreach (var c in value) if (char.IsAsciiLetterOrDigit(c)) count++;
        var seen = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c)) { sb.Append(c); continue; }
            sb.Append(seen < keepFirst || seen >= count - keepLast ? c : '•');
            seen++;
        }
    }

    internal static bool StartsToken(string text, int i) => i == 0 || !char.IsLetterOrDigit(text[i - 1]) && text[i - 1] is not ('/' or '=' or '_' or '-' or '.');

    internal static bool EndsToken(string text, int end) => end >= text.Length || !char.IsLetterOrDigit(text[end]) && text[end] is not ('/' or '_');

    /// <summary>An IBAN (either case): a country code, two check digits and the country's fixed number of
    /// letters and digits, plain or in groups of four separated by single spaces, valid by mod 97. The fixed
    /// length per country (ISO 13616 registry) keeps a valid-looking prefix of a longer run from matching.</summary>
    private static int IbanAt(string text, int start)
    {
        if (start + 15 > text.Length || !char.IsAsciiLetter(text[start]) || !char.IsAsciiLetter(text[start + 1]) || !char.IsAsciiDigit(text[start + 2]) || !char.IsAsciiDigit(text[start + 3]))
            return 0;
        var country = (char.ToUpperInvariant(text[start]) - 'A') * 26 + (char.ToUpperInvariant(text[start + 1]) - 'A');
        var length = IbanLengths[country];
        if (length == 0) return 0;
        Span<char> compact = stackalloc char[length];
        var n = 0;
        var end = start;
        var sinceSpace = 0;
        while (end < text.Length && n < length)
        {
            var c = text[end];
            if (char.IsAsciiLetterOrDigit(c))
            {
                compact[n++] = char.ToUpperInvariant(c);
                sinceSpace++;
                end++;
            }
            else if (c == ' ' && sinceSpace == 4 && end + 1 < text.Length && char.IsAsciiLetterOrDigit(text[end + 1])) { sinceSpace = 0; end++; }
            else return 0;
        }
        return n == length && EndsToken(text, end) && IbanChecksumValid(compact) ? end - start : 0;
    }

    /// <summary>IBAN length by country (index: first letter * 26 + second letter), from the ISO 13616 registry.</summary>
    private static readonly byte[] IbanLengths = BuildIbanLengths(
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 EE20 EG29 ES24 FI18 " +
        "FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 " +
        "LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 " +
        "SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30");

    private static byte[] BuildIbanLengths(string registry)
    {
        var lengths = new byte[26 * 26];
        foreach (var entry in registry.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            lengths[(entry[0] - 'A') * 26 + (entry[1] - 'A')] = byte.Parse(entry.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
        return lengths;
    }

    internal static bool IbanChecksumValid(ReadOnlySpan<char> iban)
    {
        // Move the first four characters to the end, read letters as 10..35, and take the number mod 97.
        var remainder = 0;
        for (var k = 0; k < iban.Length; k++)
        {
            var c = iban[(k + 4) % iban.Length];
            if (char.IsAsciiDigit(c)) remainder = (remainder * 10 + (c - '0')) % 97;
            else remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
        }
        return remainder == 1;
    }

    private static int EmailAround(string text, int at, out int start)
    {
        start = at;
        while (start > 0 && IsLocalChar(text[start - 1])) start--;
        if (start == at) return 0;
        var end = at + 1;
        var dots = 0;
        var lastDot = -1;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '.'))
        {
            if (text[end] == '.') { dots++; lastDot = end; }
            end++;
        }
        while (end > at + 1 && text[end - 1] == '.') { end--; dots--; lastDot = text.LastIndexOf('.', end - 1); }
        if (dots == 0 || lastDot < 0 || end - lastDot - 1 < 2 || !char.IsAsciiLetter(text[end - 1])) return 0;
        return end - start;
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';
}
