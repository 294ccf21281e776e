using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Bench;

/// <summary>One signed webhook body, a slice of a large shared buffer.</summary>
public readonly record struct SignedBody(byte[] Buffer, int Offset, int Length, string Signature, long TweetId);

/// <summary>Signed X <c>tweet_create_events</c> deliveries in the captured format, one new tweet id
/// per index, written and signed before a run so that the load generator only copies bytes.
/// Every body has the same length, so body <c>i</c> sits at <c>i × length</c> in a chunk.</summary>
public sealed class TweetBodies
{
    public const long FirstTweetId = 1_900_000_000_000_000_000;
    private const long FirstCustomerId = 3_000_000_000;
    private const int ChunkBytes = 64 * 1024 * 1024;

    // The captured tweet's values, replaced by each generated tweet's own.
    private const string CapturedTweetId = "1065035365336141825";
    private const string CapturedUserId = "219826253";
    private const string CapturedHandle = "\"medenhofer\"";
    private const string CapturedName = "\"Martin Edenhofer\"";
    private const string CapturedTimestamp = "\"1542759193153\"";

    private readonly byte[][] _segments;
    private readonly Hole[] _holes;
    private readonly byte[] _secret;
    private readonly CustomerPool _customers;
    private readonly long _timestampMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly List<byte[]> _chunks = [];
    private string[] _signatures = [];
    private int _count;

    private enum Hole { TweetId, UserId, Handle, Name, Timestamp }

    public TweetBodies(string consumerSecret, CustomerPool customers)
    {
        _secret = Encoding.UTF8.GetBytes(consumerSecret);
        _customers = customers;
        (_segments, _holes) = Split(ReadTemplate());
        Length = _segments.Sum(s => s.Length) + _holes.Sum(Width);
        BodiesPerChunk = ChunkBytes / Length;
    }

    /// <summary>Bytes per body (all bodies are the same size).</summary>
    public int Length { get; }
    private int BodiesPerChunk { get; }
    public int Count => _count;
    /// <summary>Who sends them.</summary>
    public CustomerPool Customers => _customers;

    public static long TweetIdOf(long index) => FirstTweetId + index;
    public static long IndexOf(long tweetId) => tweetId - FirstTweetId;

    /// <summary>The body for <paramref name="index"/>; written on the spot if it was not prepared.</summary>
    public SignedBody Get(long index)
    {
        if (index < _count)
        {
            var chunk = _chunks[(int)(index / BodiesPerChunk)];
            return new SignedBody(chunk, (int)(index % BodiesPerChunk) * Length, Length, _signatures[index], TweetIdOf(index));
        }
        var body = new byte[Length];
        Write(index, body);
        return new SignedBody(body, 0, Length, Sign(body), TweetIdOf(index));
    }

    /// <summary>Writes and signs bodies up to <paramref name="count"/>, on every core.</summary>
    public void Prepare(int count)
    {
        if (count <= _count) return;
        while ((long)_chunks.Count * BodiesPerChunk < count) _chunks.Add(GC.AllocateUninitializedArray<byte>(BodiesPerChunk * Length));
        Array.Resize(ref _signatures, count);
        _customers.Plan(count);
        var from = _count;
        Parallel.For(from, count, i =>
        {
            var span = _chunks[i / BodiesPerChunk].AsSpan(i % BodiesPerChunk * Length, Length);
            Write(i, span);
            _signatures[i] = Sign(span);
        });
        _count = count;
    }

    private void Write(long index, Span<byte> target)
    {
        var customer = FirstCustomerId + _customers.CustomerOf(index);
        var at = 0;
        for (var s = 0; s < _segments.Length; s++)
        {
            _segments[s].CopyTo(target[at..]);
            at += _segments[s].Length;
            if (s == _holes.Length) break;
            var hole = target.Slice(at, Width(_holes[s]));
            at += hole.Length;
            var ok = _holes[s] switch
            {
                Hole.TweetId => Utf8Formatter.TryFormat(TweetIdOf(index), hole, out _),
                Hole.UserId => Utf8Formatter.TryFormat(customer, hole, out _),
                Hole.Handle => Quoted(hole, "c", customer),
                Hole.Name => Quoted(hole, "Customer ", customer),
                Hole.Timestamp => Quoted(hole, "", _timestampMs + index % 1000),
                _ => false,
            };
            if (!ok) throw new InvalidOperationException($"Could not write {_holes[s]} for body {index}.");
        }
    }

    private static bool Quoted(Span<byte> hole, string prefix, long number)
    {
        hole[0] = (byte)'"';
        var p = Encoding.ASCII.GetBytes(prefix, hole[1..]);
        var ok = Utf8Formatter.TryFormat(number, hole[(1 + p)..], out var n);
        hole[1 + p + n] = (byte)'"';
        return ok && 2 + p + n == hole.Length;
    }

    // Tweet ids have 19 digits, customer ids 10, timestamps 13: fixed widths keep every body the same length.
    private static int Width(Hole hole) => hole switch
    {
        Hole.TweetId => 19,
        Hole.UserId => 10,
        Hole.Handle => 2 + 1 + 10,
        Hole.Name => 2 + 9 + 10,
        Hole.Timestamp => 2 + 13,
        _ => 0,
    };

    public string Sign(ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, body, mac);
        return "sha256=" + Convert.ToBase64String(mac);
    }

    private static string ReadTemplate()
    {
        using var stream = typeof(TweetBodies).Assembly.GetManifestResourceStream("x-tweet-create.json")
            ?? throw new InvalidOperationException("The embedded payload x-tweet-create.json is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().TrimEnd('\n', '\r');
    }

    /// <summary>Cuts the captured body at each value that changes per tweet.</summary>
    private static (byte[][] Segments, Hole[] Holes) Split(string template)
    {
        var marks = new (string Text, Hole Hole, int Expected)[]
        {
            (CapturedTweetId, Hole.TweetId, 3), (CapturedUserId, Hole.UserId, 3), (CapturedHandle, Hole.Handle, 1),
            (CapturedName, Hole.Name, 1), (CapturedTimestamp, Hole.Timestamp, 1),
        };
        var found = new List<(int At, string Text, Hole Hole)>();
        foreach (var (text, hole, expected) in marks)
        {
            var before = found.Count;
            for (var i = template.IndexOf(text, StringComparison.Ordinal); i >= 0; i = template.IndexOf(text, i + 1, StringComparison.Ordinal))
                found.Add((i, text, hole));
            if (found.Count - before != expected)
                throw new InvalidOperationException($"The payload template should contain {text} {expected} times, not {found.Count - before}.");
        }
        found.Sort((a, b) => a.At.CompareTo(b.At));
        var segments = new List<byte[]>();
        var last = 0;
        foreach (var (at, text, _) in found)
        {
            segments.Add(Encoding.UTF8.GetBytes(template[last..at]));
            last = at + text.Length;
        }
        segments.Add(Encoding.UTF8.GetBytes(template[last..]));
        return ([.. segments], [.. found.Select(f => f.Hole)]);
    }
}
