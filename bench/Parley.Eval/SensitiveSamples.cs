using System.Text;

namespace Parley.Eval;

/// <summary>Valid payment card numbers and IBANs, generated the way issuers and banks build them.</summary>
internal static class SensitiveSamples
{
    // (prefix choices, length) per network.
    private static readonly (string[] Prefixes, int Length)[] Cards =
    [
        (["4"], 16), (["4"], 13), (["4"], 19),                                            // Visa
        (["51", "52", "53", "54", "55"], 16), (["2221", "2500", "2720", "2699"], 16),     // Mastercard
        (["34", "37"], 15),                                                              // Amex
        (["6011", "65", "644", "649"], 16), (["6011", "65"], 19),                         // Discover
        (["36", "38"], 14),                                                              // Diners Club
        (["3528", "3550", "3589"], 16),                                                  // JCB
        (["62"], 16), (["62"], 19),                                                      // UnionPay
    ];

    // Country, BBAN pattern: 'n' digit, 'a' upper-case letter, 'c' letter or digit (lengths per the ISO 13616 registry).
    private static readonly (string Country, string Bban)[] Ibans =
    [
        ("DE", "nnnnnnnnnnnnnnnnnn"), ("GB", "aaaannnnnnnnnnnnnn"), ("FR", "nnnnnnnnnncccccccccccnn"), ("NL", "aaaannnnnnnnnn"),
        ("ES", "nnnnnnnnnnnnnnnnnnnn"), ("IT", "annnnnnnnnncccccccccccc"), ("BE", "nnnnnnnnnnnn"), ("CH", "nnnnncccccccccccc"),
        ("AT", "nnnnnnnnnnnnnnnn"), ("IE", "aaaannnnnnnnnnnnnn"), ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"), ("SE", "nnnnnnnnnnnnnnnnnnnn"),
        ("NO", "nnnnnnnnnnn"), ("DK", "nnnnnnnnnnnnnn"), ("PT", "nnnnnnnnnnnnnnnnnnnnn"), ("LU", "nnnccccccccccccc"),
    ];

    public static string Card(Random random)
    {
        var (prefixes, length) = Cards[random.Next(Cards.Length)];
        var digits = new StringBuilder(prefixes[random.Next(prefixes.Length)]);
        while (digits.Length < length - 1) digits.Append((char)('0' + random.Next(10)));
        for (var check = 0; check < 10; check++)
        {
            var candidate = digits.ToString() + (char)('0' + check);
            if (Luhn(candidate)) return candidate;
        }
        throw new InvalidOperationException("unreachable: one check digit always fits");
    }

    /// <summary>Plain, or grouped as printed on the card (4-6-5 for 15 digits, 4-6-4 for 14, fours otherwise)
    /// with spaces or dashes.</summary>
    public static string Format(string digits, Random random)
    {
        var style = random.Next(3);
        if (style == 0) return digits;
        var separator = style == 1 ? ' ' : '-';
        int[] groups = digits.Length switch
        {
            15 => [4, 6, 5],
            14 => [4, 6, 4],
            _ => [.. Enumerable.Repeat(4, digits.Length / 4), .. digits.Length % 4 > 0 ? new[] { digits.Length % 4 } : []],
        };
        var sb = new StringBuilder();
        var at = 0;
        foreach (var g in groups)
        {
            if (sb.Length > 0) sb.Append(separator);
            sb.Append(digits, at, g);
            at += g;
        }
        return sb.ToString();
    }

    public static string Iban(Random random)
    {
        var (country, pattern) = Ibans[random.Next(Ibans.Length)];
        var bban = new StringBuilder();
        foreach (var p in pattern)
        {
            bban.Append(p switch
            {
                'n' => (char)('0' + random.Next(10)),
                'a' => (char)('A' + random.Next(26)),
                _ => random.Next(2) == 0 ? (char)('0' + random.Next(10)) : (char)('A' + random.Next(26)),
            });
        }
        // ISO 13616: check digits = 98 - (BBAN + country + "00") mod 97, letters read as 10..35.
        var check = 98 - Mod97(bban + country + "00");
        return $"{country}{check:00}{bban}";
    }

    public static string PrintFormat(string iban) =>
        string.Join(' ', Enumerable.Range(0, (iban.Length + 3) / 4).Select(i => iban.Substring(i * 4, Math.Min(4, iban.Length - i * 4))));

    /// <summary>The same value with its last digit changed: the check digit no longer fits.</summary>
    public static string BreakCheckDigit(string value)
    {
        var last = value.Length - 1;
        while (!char.IsAsciiDigit(value[last])) last--;
        return value[..last] + (char)('0' + (value[last] - '0' + 1) % 10) + value[(last + 1)..];
    }

    private static int Mod97(string value)
    {
        var remainder = 0;
        foreach (var c in value)
            remainder = char.IsAsciiDigit(c) ? (remainder * 10 + (c - '0')) % 97 : (remainder * 100 + (c - 'A' + 10)) % 97;
        return remainder;
    }

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1 && (d *= 2) > 9) d -= 9;
            sum += d;
        }
        return sum % 10 == 0;
    }
}
