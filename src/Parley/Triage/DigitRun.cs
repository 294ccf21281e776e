namespace Parley.Triage;

/// <summary>Card numbers and phone numbers: runs of digits with the separators people type.</summary>
internal static class DigitRun
{
    private const int MaxGroups = 8;

    /// <summary>The length of a payment card number starting at <paramref name="start"/>, or 0. A card
    /// number is 13 to 19 digits, plain or grouped the way cards print them (4-4-4-4, 4-6-5 for Amex,
    /// 4-6-4 for Diners) with spaces or dashes, with an issuer prefix that fits its length, and a valid
    /// Luhn check digit. Order numbers such as 112-1234567-1234567 fail the grouping, most random digit
    /// runs fail the prefix or the check.</summary>
    public static int CardAt(string text, int start)
    {
        Span<int> groups = stackalloc int[MaxGroups];
        Span<char> digits = stackalloc char[19];
        var count = 0;
        var groupCount = 0;
        var groupLength = 0;
        var separator = '\0';
        var end = start;
        var best = 0;
        while (end < text.Length)
        {
            var c = text[end];
            if (char.IsAsciiDigit(c))
            {
                if (count == 19) return best;
                digits[count++] = c;
                groupLength++;
                end++;
                if (count >= 13 && SensitiveData.EndsToken(text, end) && !FollowedByDigitGroup(text, end, separator))
                {
                    groups[groupCount] = groupLength;
                    if (IsCardGrouping(groups[..(groupCount + 1)], count) && IsCard(digits[..count])) best = end - start;
                }
            }
            else if ((c == ' ' || c == '-') && groupLength > 0 && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1])
                && (separator == '\0' || separator == c) && groupCount < MaxGroups - 1)
            {
                separator = c;
                groups[groupCount++] = groupLength;
                groupLength = 0;
                end++;
            }
            else break;
        }
        return best;
    }

    private static bool FollowedByDigitGroup(string text, int end, char separator) =>
        separator != '\0' && end + 1 < text.Length && text[end] == separator && char.IsAsciiDigit(text[end + 1]);

    private static bool IsCardGrouping(ReadOnlySpan<int> groups, int digits)
    {
        if (groups.Length == 1) return true;
        // 4-6-5 (Amex) and 4-6-4 (Diners Club).
        if (groups.Length == 3 && groups[0] == 4 && groups[1] == 6 && groups[2] is 4 or 5) return true;
        // Groups of four, the last one possibly shorter (13, 15, 17, 18 and 19 digits).
        for (var i = 0; i < groups.Length - 1; i++)
            if (groups[i] != 4) return false;
        return groups[^1] is >= 1 and <= 4 && digits >= 13;
    }

    /// <summary>An issuer prefix that fits the length, and a valid Luhn check digit.</summary>
    internal static bool IsCard(ReadOnlySpan<char> digits)
    {
        var length = digits.Length;
        var two = (digits[0] - '0') * 10 + (digits[1] - '0');
        var four = two * 100 + (digits[2] - '0') * 10 + (digits[3] - '0');
        var three = four / 10;
        var issuer = digits[0] switch
        {
            '4' => length is 13 or 16 or 19,                                                   // Visa
            '5' => two is >= 51 and <= 55 && length == 16,                                     // Mastercard
            '2' => four is >= 2221 and <= 2720 && length == 16,                                // Mastercard 2-series
            '3' => (two is 34 or 37 && length == 15)                                           // Amex
                || (two is 36 or 38 or 39 or 30 && length is >= 14 and <= 19)                  // Diners Club
                || (four is >= 3528 and <= 3589 && length is >= 16 and <= 19),                 // JCB
            '6' => (four == 6011 || two == 65 || three is >= 644 and <= 649) && length is >= 16 and <= 19 // Discover
                || (two == 62 && length is >= 16 and <= 19)                                    // UnionPay
                || (four is 6304 or 6759 or 6761 or 6762 or 6763 && length is >= 12 and <= 19), // Maestro
            _ => false,
        };
        return issuer && LuhnValid(digits);
    }

    internal static bool LuhnValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt && (d *= 2) > 9) d -= 9;
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>The length of a phone number starting at <paramref name="start"/>, or 0: an international
    /// number (+ and 8 to 15 digits), a North American one written 555-123-4567, (555) 123-4567 or
    /// 555.123.4567, or a national one with a leading 0 and a space (020 7946 0958, 07700 900123).
    /// Unseparated digit runs are left alone: they are far more often ids than phone numbers.</summary>
    public static int PhoneAt(string text, int start)
    {
        var international = text[start] == '+';
        var i = international ? start + 1 : start;
        var digits = 0;
        var separators = 0;
        var groups = 0;
        var groupLength = 0;
        var firstGroup = 0;
        var lastGroup = 0;
        var openParen = false;
        var end = i;
        while (end < text.Length)
        {
            var c = text[end];
            if (char.IsAsciiDigit(c))
            {
                if (groupLength == 0) groups++;
                digits++;
                groupLength++;
                end++;
                continue;
            }
            var separatorFollows = end + 1 < text.Length && (char.IsAsciiDigit(text[end + 1]) || text[end + 1] == '(');
            if (c == '(' && !openParen && groupLength == 0) { openParen = true; end++; continue; }
            if (c == ')' && openParen && groupLength > 0)
            {
                openParen = false;
                EndGroup(ref firstGroup, ref lastGroup, ref groupLength);
                end++;
                if (end < text.Length && text[end] == ' ') end++;
                separators++;
                continue;
            }
            if (c is ' ' or '-' or '.' && groupLength > 0 && separatorFollows)
            {
                EndGroup(ref firstGroup, ref lastGroup, ref groupLength);
                separators++;
                end++;
                continue;
            }
            break;
        }
        if (groupLength > 0) EndGroup(ref firstGroup, ref lastGroup, ref groupLength);
        if (openParen || !SensitiveData.EndsToken(text, end) || end < text.Length && text[end] is '.' or '-' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1]))
            return 0;
        var length = end - start;
        if (international) return digits is >= 8 and <= 15 && groups <= 6 ? length : 0;
        if (separators == 0) return 0;
        // North American: 3-3-4 (optionally with a leading 1), no other shapes.
        if (digits == 10 && groups == 3 && firstGroup == 3 && lastGroup == 4 && text[start] is not ('0' or '1')) return length;
        if (digits == 11 && groups == 4 && text[start] == '1' && lastGroup == 4) return length;
        // National numbers with a trunk 0 (much of Europe): 10 or 11 digits in two to four groups.
        if (text[start] == '0' && digits is 10 or 11 && groups is >= 2 and <= 4 && firstGroup >= 3) return length;
        return 0;
    }

    private static void EndGroup(ref int first, ref int last, ref int groupLength)
    {
        if (first == 0) first = groupLength;
        last = groupLength;
        groupLength = 0;
    }
}
