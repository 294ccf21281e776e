namespace Parley.Routing;

/// <summary>A cheap guess at the language of a short post from its function words ("the", "el", "le",
/// "der"...), for routing rules on language. It answers only when the evidence is clear: two or more
/// function words of one language and more than of any other; otherwise null, and rules that name a
/// language do not match. Networks that tag posts with a language (X's <c>lang</c>) can replace it.</summary>
public static class LanguageGuess
{
    private static readonly Dictionary<string, string[]> FunctionWords = new()
    {
        ["en"] = ["the", "and", "is", "my", "i", "me", "want", "need", "get", "got", "still", "been", "has", "from", "you", "your", "to", "of", "it", "not", "this", "with", "was", "have", "for", "are", "can", "what", "why", "where", "please", "when"],
        ["es"] = ["el", "la", "los", "las", "de", "que", "y", "es", "mi", "por", "para", "con", "no", "una", "un", "pero", "donde", "dónde", "está", "esta", "gracias", "cuando", "porque", "hola", "pedido"],
        ["fr"] = ["le", "la", "les", "de", "des", "et", "est", "mon", "ma", "pour", "avec", "pas", "une", "un", "mais", "où", "merci", "vous", "je", "bonjour", "commande", "ne"],
        ["de"] = ["der", "die", "das", "und", "ist", "mein", "meine", "nicht", "mit", "für", "ein", "eine", "aber", "wo", "danke", "ich", "sie", "bitte", "bestellung", "noch"],
        ["pt"] = ["o", "os", "de", "que", "e", "é", "meu", "minha", "para", "com", "não", "uma", "um", "mas", "onde", "obrigado", "obrigada", "você", "pedido", "está"],
        ["it"] = ["il", "lo", "gli", "di", "che", "e", "è", "mio", "mia", "per", "con", "non", "una", "un", "ma", "dove", "grazie", "ordine", "sono", "ciao"],
        ["nl"] = ["de", "het", "en", "is", "mijn", "niet", "met", "voor", "een", "maar", "waar", "bedankt", "ik", "jullie", "bestelling", "nog", "wel"],
    };

    private static readonly Dictionary<string, List<string>> LanguagesOf = Index();

    private static Dictionary<string, List<string>> Index()
    {
        var index = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (language, words) in FunctionWords)
            foreach (var word in words)
                (index.TryGetValue(word, out var list) ? list : index[word] = []).Add(language);
        return index;
    }

    public static string? Of(string text)
    {
        var scores = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var word in Words(text))
        {
            if (!LanguagesOf.TryGetValue(word, out var languages)) continue;
            // A word several languages share ("de", "la") is weak evidence for each.
            foreach (var language in languages) scores[language] = scores.GetValueOrDefault(language) + (languages.Count == 1 ? 2 : 1);
        }
        var ranked = scores.OrderByDescending(s => s.Value).ToList();
        if (ranked.Count == 0 || ranked[0].Value < 3) return null;
        return ranked.Count > 1 && ranked[1].Value == ranked[0].Value ? null : ranked[0].Key;
    }

    private static IEnumerable<string> Words(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
            // Handles and hashtags are names, not words of the language.
            if (start > 0 && text[start - 1] is '@' or '#') continue;
            yield return text[start..i].ToLowerInvariant();
        }
    }
}
