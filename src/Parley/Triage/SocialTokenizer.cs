using System.Globalization;
using System.Text;

namespace Parley.Triage;

public enum TokenKind { Word, Number, Emoticon, Emoji, Punctuation, Mention, Hashtag, Url }

/// <summary>One token of a social post. <see cref="Text"/> is lower-cased and, for words, has letters
/// repeated three or more times squeezed to two ("sooooo" becomes "soo"), so that elongated spellings
/// share features and lexicon entries with their plain forms.</summary>
public readonly record struct Token(TokenKind Kind, string Text, bool AllCaps, bool Elongated);

/// <summary>Splits social text into words, emoticons, emoji, punctuation runs, mentions, hashtags and
/// links. Hand-written rather than regex-based: it runs on every post and must stay within a few
/// microseconds.</summary>
public static class SocialTokenizer
{
    // Emoticons are matched as whole whitespace-separated chunks (optionally followed by punctuation)
    // so that "a:b" or "3:00" are not mistaken for faces.
    private static readonly HashSet<string> Emoticons = new(StringComparer.Ordinal)
    {
        ":)", ":-)", ":))", ":)))", ":]", "=)", ":-]", ":3", ":o)", ":}", "(:", "^_^", "^^", ":')", ";)", ";-)",
        ";]", ";d", ":d", ":-d", "xd", "x-d", "=d", ":p", ":-p", ";p", ";-p", "xp", ":*", ":-*", "<3", "<33",
        "<333", "(y)", "8)", "b)", ":(", ":-(", ":((", ":(((", ":[", "=(", ":'(", ":'-(", ";(", "d:", "):",
        ":/", ":-/", ":\\", "=/", ":|", ":-|", ":s", ":-s", ">:(", ">:-(", ">:[", "</3", "-_-", "-.-", "._.",
        ":@", ":o", ":-o", "o_o", "o.o", "t_t", "t.t", ";_;", "(n)",
    };

    private static readonly System.Buffers.SearchValues<char> WordCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> EmoticonLookup =
        Emoticons.GetAlternateLookup<ReadOnlySpan<char>>();

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>(32);
        Tokenize(text, tokens);
        return tokens;
    }

    public static void Tokenize(string text, List<Token> tokens)
    {
        tokens.Clear();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
            ReadChunk(text.AsSpan(i, end - i), tokens);
            i = end;
        }
    }

    private static void ReadChunk(ReadOnlySpan<char> chunk, List<Token> tokens)
    {
        if (chunk.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || chunk.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || chunk.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
        {
            tokens.Add(new Token(TokenKind.Url, "<url>", false, false));
            return;
        }
        // Only "xd" and "xp" are emoticons made of letters alone; other words skip the look-up.
        if (chunk.Length <= 5 && (chunk.ContainsAnyExcept(WordCharacters) || chunk.Length == 2 && (chunk[0] | 0x20) == 'x')
            && TryEmoticon(chunk, tokens)) return;

        var i = 0;
        while (i < chunk.Length)
        {
            var c = chunk[i];
            if ((c == '@' || c == '#') && i + 1 < chunk.Length && IsWordChar(chunk[i + 1]))
            {
                var end = i + 1;
                while (end < chunk.Length && (IsWordChar(chunk[end]) || chunk[end] == '_')) end++;
                var name = chunk[(i + 1)..end];
                if (c == '@') tokens.Add(new Token(TokenKind.Mention, "@user", false, false));
                else
                {
                    // A hashtag is kept as itself and also read as the word it spells (#fail -> fail).
                    var word = Normalize(name, out var elongated);
                    tokens.Add(new Token(TokenKind.Hashtag, "#" + word, false, elongated));
                    tokens.Add(new Token(TokenKind.Word, word, IsAllCaps(name), elongated));
                }
                i = end;
            }
            else if (IsWordChar(c))
            {
                var end = i + 1;
                // Apostrophes inside words keep "don't" and "i'm" whole; a trailing one is punctuation.
                while (end < chunk.Length && (IsWordChar(chunk[end])
                    || (IsApostrophe(chunk[end]) && end + 1 < chunk.Length && char.IsLetter(chunk[end + 1]))))
                    end++;
                var raw = chunk[i..end];
                var isNumber = IsNumber(raw);
                var word = isNumber ? Intern(raw) : Normalize(raw, out _);
                var elongatedWord = !isNumber && HasRun(raw, 3);
                tokens.Add(new Token(isNumber ? TokenKind.Number : TokenKind.Word, word, !isNumber && IsAllCaps(raw), elongatedWord));
                i = end;
            }
            else if (char.IsHighSurrogate(c) || IsSymbol(c))
            {
                i += ReadEmoji(chunk[i..], tokens);
            }
            else if (c == '&' && HtmlEntity(chunk[i..]) is { Length: > 0 } entity)
            {
                // X delivers tweet text HTML-escaped ("&amp;"): read the character it stands for.
                tokens.Add(new Token(TokenKind.Punctuation, entity.Text, false, false));
                i += entity.Length;
            }
            else
            {
                // A run of punctuation ("!!!", "?!") is one token: its length carries emphasis.
                var end = i + 1;
                while (end < chunk.Length && chunk[end] == c) end++;
                var run = end - i;
                var text = run switch { 1 => CharText(c), 2 => new string(c, 2), _ => new string(c, 3) };
                tokens.Add(new Token(TokenKind.Punctuation, text, false, run >= 3));
                i = end;
            }
        }
    }

    private static (string Text, int Length) HtmlEntity(ReadOnlySpan<char> rest)
    {
        foreach (var (name, text) in Entities)
            if (rest.StartsWith(name, StringComparison.Ordinal)) return (text, name.Length);
        return ("", 0);
    }

    private static readonly (string Name, string Text)[] Entities =
        [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'")];

    private static bool TryEmoticon(ReadOnlySpan<char> chunk, List<Token> tokens)
    {
        Span<char> lower = stackalloc char[chunk.Length];
        chunk.ToLowerInvariant(lower);
        var candidate = lower;
        // "(:" would otherwise lose its parenthesis to the trailing-punctuation rule below.
        for (var cut = 0; cut < 2 && candidate.Length >= 2; cut++)
        {
            if (EmoticonLookup.TryGetValue(candidate, out var face))
            {
                tokens.Add(new Token(TokenKind.Emoticon, face, false, false));
                if (cut > 0) tokens.Add(new Token(TokenKind.Punctuation, CharText(chunk[^1]), false, false));
                return true;
            }
            if (candidate[^1] is not ('.' or ',' or '!' or '?')) break;
            candidate = candidate[..^1];
        }
        return false;
    }

    private static int ReadEmoji(ReadOnlySpan<char> rest, List<Token> tokens)
    {
        if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != System.Buffers.OperationStatus.Done)
            return 1;
        var consumed = used;
        // Skin tones, variation selectors and joiners belong to the emoji before them.
        while (consumed < rest.Length && Rune.DecodeFromUtf16(rest[consumed..], out var next, out var n) == System.Buffers.OperationStatus.Done
            && (next.Value is 0xFE0F or 0x200D || next.Value is >= 0x1F3FB and <= 0x1F3FF))
        {
            consumed += n;
            if (next.Value == 0x200D && consumed < rest.Length && Rune.DecodeFromUtf16(rest[consumed..], out _, out var joined) == System.Buffers.OperationStatus.Done)
                consumed += joined;
        }
        if (Rune.IsLetterOrDigit(rune))
        {
            tokens.Add(new Token(TokenKind.Word, rune.ToString().ToLowerInvariant(), false, false));
            return consumed;
        }
        tokens.Add(new Token(TokenKind.Emoji, rune.ToString(), false, false));
        return consumed;
    }

    /// <summary>Lower-cases and squeezes any letter repeated three or more times down to two.</summary>
    private static string Normalize(ReadOnlySpan<char> raw, out bool elongated)
    {
        elongated = false;
        Span<char> buffer = raw.Length <= 256 ? stackalloc char[raw.Length] : new char[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = IsApostrophe(raw[i]) ? '\'' : char.ToLowerInvariant(raw[i]);
            if (length >= 2 && buffer[length - 1] == c && buffer[length - 2] == c && char.IsLetter(c))
            {
                elongated = true;
                continue;
            }
            buffer[length++] = c;
        }
        return Intern(buffer[..length]);
    }

    /// <summary>The words of the last few thousand tokens, per thread: a customer's words repeat (in the message,
    /// in their conversation read whole, in their next message), and so does most of any language, so a token's
    /// text is mostly found here instead of allocated. Token texts are compared by value everywhere.</summary>
    [ThreadStatic] private static Dictionary<string, string>? _words;
    private const int MaxWords = 2048;

    private static string Intern(ReadOnlySpan<char> word)
    {
        var words = _words ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (words.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(word, out var known)) return known;
        var text = new string(word);
        if (words.Count >= MaxWords) words.Clear();
        words[text] = text;
        return text;
    }

    private static bool HasRun(ReadOnlySpan<char> raw, int run)
    {
        var count = 1;
        for (var i = 1; i < raw.Length; i++)
        {
            count = char.ToLowerInvariant(raw[i]) == char.ToLowerInvariant(raw[i - 1]) && char.IsLetter(raw[i]) ? count + 1 : 1;
            if (count >= run) return true;
        }
        return false;
    }

    private static bool IsAllCaps(ReadOnlySpan<char> raw)
    {
        var letters = 0;
        foreach (var c in raw)
        {
            if (!char.IsLetter(c)) continue;
            if (!char.IsUpper(c)) return false;
            letters++;
        }
        return letters >= 2;
    }

    private static bool IsNumber(ReadOnlySpan<char> raw)
    {
        foreach (var c in raw)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) && !char.IsSurrogate(c);

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u2018';

    private static bool IsSymbol(char c) => c >= '\u2190' && CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.OtherSymbol or UnicodeCategory.MathSymbol or UnicodeCategory.OtherPunctuation;

    private static readonly string[] Ascii = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    private static string CharText(char c) => c < 128 ? Ascii[c] : c.ToString();
}
