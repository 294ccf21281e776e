namespace Parley.Triage;

/// <summary>Which features a linear model reads. Stored inside each model file so that the features
/// at run time are exactly the ones the model was trained on.</summary>
public sealed record FeatureSettings(int HashBits, bool WordBigrams, int CharMin, int CharMax, bool Lexicon)
{
    public int HashSize => 1 << HashBits;
    public int DenseCount => Lexicon ? TextFeatures.LexiconFeatureCount : 0;
    public int Dimension => HashSize + DenseCount;
}

/// <summary>A reusable feature vector: hashed indices with values, plus the post's tokens and lexicon
/// signals so that other signals can read them without tokenising again. Not thread-safe: one per thread.</summary>
public sealed class FeatureBuffer
{
    public int[] Indices { get; private set; } = new int[512];
    public float[] Values { get; private set; } = new float[512];
    public int Count { get; private set; }
    /// <summary>The table size the indices were hashed into; a model with a smaller table folds them (see <see cref="LinearModel"/>).</summary>
    public int HashBits { get; internal set; }
    public List<Token> Tokens { get; } = new(64);
    public LexiconSignals Lexicon { get; internal set; }
    internal char[] Chars { get; private set; } = new char[512];

    internal void Clear() => Count = 0;

    internal void Add(int index, float value)
    {
        if (Count == Indices.Length)
        {
            Indices = Resize(Indices);
            Values = Resize(Values);
        }
        Indices[Count] = index;
        Values[Count++] = value;
    }

    internal char[] CharsOfAtLeast(int length)
    {
        if (Chars.Length < length) Chars = new char[Math.Max(length, Chars.Length * 2)];
        return Chars;
    }

    private static T[] Resize<T>(T[] array)
    {
        var larger = new T[array.Length * 2];
        array.CopyTo(larger, 0);
        return larger;
    }
}

/// <summary>Turns a post into hashed word and character n-grams (the "hashing trick": a fixed-size
/// weight table, no vocabulary to ship) plus, for sentiment, a few dense lexicon features.</summary>
public static class TextFeatures
{
    public const int LexiconFeatureCount = 14;

    private const uint WordSeed = 0x9E3779B9, NegatedSeed = 0x85EBCA6B, BigramSeed = 0xC2B2AE35, CharSeed = 0x27D4EB2F, BinSeed = 0x165667B1;
    private const int NegationScope = 4;

    public static void Extract(string text, FeatureSettings settings, SentimentLexicon? lexicon, FeatureBuffer buffer)
    {
        SocialTokenizer.Tokenize(text, buffer.Tokens);
        Extract(settings, lexicon, buffer);
    }

    /// <summary>Extracts features from tokens already in <paramref name="buffer"/>.</summary>
    public static void Extract(FeatureSettings settings, SentimentLexicon? lexicon, FeatureBuffer buffer)
    {
        buffer.Clear();
        buffer.HashBits = settings.HashBits;
        var tokens = buffer.Tokens;
        var mask = settings.HashSize - 1;
        var negatedFor = 0;
        uint previous = 0x5BD1E995; // stands for "start of post" in the first bigram

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            // Words after a negator ("not good", "never again") are different features from the plain words,
            // until the clause ends.
            if (token.Kind == TokenKind.Punctuation && token.Text[0] is '.' or '!' or '?' or ',' or ';' or ':') negatedFor = 0;
            var seed = negatedFor > 0 && token.Kind == TokenKind.Word ? NegatedSeed : WordSeed;
            var hash = Hash(token.Text, seed);
            buffer.Add((int)(Mix(hash) & mask), 1f);
            if (settings.WordBigrams) buffer.Add((int)(Mix(previous * 31 + hash + BigramSeed) & mask), 1f);
            previous = hash;
            if (negatedFor > 0) negatedFor--;
            if (token.Kind == TokenKind.Word && SentimentLexicon.IsNegator(token.Text)) negatedFor = NegationScope;
        }
        if (settings.CharMax > 0) AddCharacterNgrams(settings, buffer, mask);

        // Longer posts have more features; scaling to unit length keeps one learning rate right for all.
        if (buffer.Count > 0)
        {
            var scale = 1f / MathF.Sqrt(buffer.Count);
            var values = buffer.Values;
            for (var i = 0; i < buffer.Count; i++) values[i] = scale;
        }

        if (settings.Lexicon && lexicon is not null) AddLexicon(settings, lexicon, buffer, mask);
    }

    private static void AddCharacterNgrams(FeatureSettings settings, FeatureBuffer buffer, int mask)
    {
        var tokens = buffer.Tokens;
        var length = 1;
        foreach (var token in tokens) length += token.Text.Length + 1;
        var chars = buffer.CharsOfAtLeast(length);
        var n = 0;
        chars[n++] = ' ';
        foreach (var token in tokens)
        {
            token.Text.CopyTo(0, chars, n, token.Text.Length);
            n += token.Text.Length;
            chars[n++] = ' ';
        }
        for (var start = 0; start + settings.CharMin <= n; start++)
        {
            var hash = CharSeed;
            var stop = Math.Min(n, start + settings.CharMax);
            for (var end = start; end < stop; end++)
            {
                hash = (hash ^ chars[end]) * 16777619u;
                if (end - start + 1 >= settings.CharMin) buffer.Add((int)(Mix(hash) & mask), 1f);
            }
        }
    }

    private static void AddLexicon(FeatureSettings settings, SentimentLexicon lexicon, FeatureBuffer buffer, int mask)
    {
        var s = lexicon.Score(buffer.Tokens);
        buffer.Lexicon = s;
        var compound = s.Compound;
        var dense = settings.HashSize;
        buffer.Add(dense + 0, compound);
        buffer.Add(dense + 1, MathF.Min(s.PositiveSum, 8f) / 4f);
        buffer.Add(dense + 2, MathF.Max(s.NegativeSum, -8f) / 4f);
        buffer.Add(dense + 3, Math.Min(s.PositiveWords, 4) / 4f);
        buffer.Add(dense + 4, Math.Min(s.NegativeWords, 4) / 4f);
        buffer.Add(dense + 5, s.NegatedWords > 0 ? 1f : 0f);
        buffer.Add(dense + 6, s.PositiveEmoji > 0 ? 1f : 0f);
        buffer.Add(dense + 7, s.NegativeEmoji > 0 ? 1f : 0f);
        buffer.Add(dense + 8, s.Exclamations > 0 ? 1f : 0f);
        buffer.Add(dense + 9, s.Questions > 0 ? 1f : 0f);
        buffer.Add(dense + 10, s.CapsWords > 0 ? 1f : 0f);
        buffer.Add(dense + 11, s.ElongatedWords > 0 ? 1f : 0f);
        buffer.Add(dense + 12, compound >= 0.05f ? 1f : 0f);
        buffer.Add(dense + 13, compound <= -0.05f ? 1f : 0f);
        // A coarse bin of the lexicon score as its own feature lets the linear model bend the scale.
        var bin = (int)MathF.Round(compound * 5f);
        buffer.Add((int)(Mix(BinSeed + (uint)(bin + 8)) & mask), 1f);
    }

    private static uint Hash(string text, uint seed)
    {
        var hash = 2166136261u ^ seed;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    /// <summary>Murmur3's finaliser: spreads FNV's weak low bits before masking to the table size.</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }
}
