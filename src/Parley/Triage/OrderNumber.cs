namespace Parley.Triage;

/// <summary>Order, account, booking and similar reference numbers. Unlike cards they have no check
/// digit, so they are recognised only after a word that names them ("order #112-5551234",
/// "account no. 12345678", "booking ref ABC123"), never as bare digits.</summary>
internal static class OrderNumber
{
    private static readonly string[] Anchors =
    [
        "order", "account", "acct", "a/c", "booking", "reservation", "confirmation", "reference", "ref",
        "ticket", "case", "tracking", "pnr", "membership", "member", "customer", "policy", "invoice", "claim",
    ];

    private static readonly string AnchorInitials = new([.. Anchors.Select(a => a[0]).Distinct()]);

    private static readonly string[] Fillers = ["number", "num", "no.", "no", "nr", "id", "code", "#", ":", "is", "-"];

    /// <summary>The length from <paramref name="start"/> (the anchor word) to the end of the number, with
    /// <paramref name="numberStart"/> where the number itself begins; 0 when there is none.</summary>
    public static int At(string text, int start, out int numberStart)
    {
        numberStart = 0;
        // Most words start with a letter no anchor starts with: skip them without comparing.
        if (!AnchorInitials.Contains(char.ToLowerInvariant(text[start]))) return 0;
        var anchorEnd = MatchWord(text, start, Anchors);
        if (anchorEnd < 0) return 0;
        var i = anchorEnd;
        // Up to three filler words or signs between the anchor and the number ("order number is #...").
        for (var step = 0; step < 4; step++)
        {
            while (i < text.Length && text[i] == ' ') i++;
            if (i < text.Length && text[i] == '#') { i++; continue; }
            var filler = MatchWord(text, i, Fillers);
            if (filler < 0) break;
            i = filler;
        }
        while (i < text.Length && text[i] is ' ' or '#') i++;
        var end = i;
        int digits = 0, letters = 0;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || (text[end] == '-' && end + 1 < text.Length && char.IsAsciiLetterOrDigit(text[end + 1]))))
        {
            if (char.IsAsciiDigit(text[end])) digits++;
            else if (char.IsAsciiLetter(text[end])) letters++;
            end++;
        }
        if (!SensitiveData.EndsToken(text, end)) return 0;
        // Four or more digits, or a six-character airline-style code mixing capitals and digits.
        var token = text.AsSpan(i, end - i);
        var isReference = digits >= 4 && digits + letters >= 5
            || token.Length == 6 && digits > 0 && letters > 0 && IsUpperAlphanumeric(token);
        if (!isReference) return 0;
        numberStart = i;
        return end - start;
    }

    private static bool IsUpperAlphanumeric(ReadOnlySpan<char> token)
    {
        foreach (var c in token)
            if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterUpper(c)) return false;
        return true;
    }

    /// <summary>The end of whichever word of <paramref name="words"/> starts at <paramref name="start"/>
    /// (case-insensitive, ending at a word boundary), or -1.</summary>
    private static int MatchWord(string text, int start, string[] words)
    {
        foreach (var word in words)
        {
            if (start + word.Length > text.Length) continue;
            if (!text.AsSpan(start, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)) continue;
            var end = start + word.Length;
            var lastIsLetter = char.IsLetter(word[^1]);
            if (!lastIsLetter || end == text.Length || !char.IsLetterOrDigit(text[end])) return end;
        }
        return -1;
    }
}
