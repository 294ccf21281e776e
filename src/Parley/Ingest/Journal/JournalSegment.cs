using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace Parley.Ingest.Journal;

/// <summary>A segment file of the ingest journal (docs/adr/0045): a 32-byte header (<c>"PRLYJRNL"</c>, u32 version,
/// u32 reserved, i64 the id of its first record, u32 CRC-32 of the 24 bytes before it, u32 reserved), then records
/// (<see cref="JournalRecord"/>) with consecutive ids from the first. Named by a sequence number, so the files sort in
/// the order they were written, and created (full of zeros, or recycled with the header zeroed) before they are
/// needed: starting a segment writes its header into a file that already has its name and its blocks, so the
/// acknowledgement path never changes file system metadata. A file whose header does not check out holds no records
/// (a prepared one). A recycled segment still holds its former records past the new ones: their ids are lower than the
/// next expected one, which is how a scan knows they are not part of this segment.</summary>
internal static class JournalSegment
{
    public const int HeaderBytes = 32;
    public const string Extension = ".journal";
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "PRLYJRNL"u8;

    public static string NameFor(long sequence) => sequence.ToString("D10", CultureInfo.InvariantCulture) + Extension;

    public static byte[] Header(long firstId)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), firstId);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), Crc32.HashToUInt32(header.AsSpan(0, 24)));
        return header;
    }

    /// <summary>The segment files in <paramref name="folder"/>, in the order they were named.</summary>
    public static List<(long Sequence, string Path)> List(string folder)
    {
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*" + Extension))
            if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var first))
                found.Add((first, path));
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    /// <summary>What a scan of one segment found.</summary>
    /// <param name="Records">Its records, in id order.</param>
    /// <param name="End">Where its valid records end: the next record is written here.</param>
    /// <param name="Torn">A record at <see cref="End"/> did not check out (a write a crash interrupted).</param>
    /// <param name="FirstId">The id its header gives its first record; null for a prepared file (no header).</param>
    public sealed record Scan(List<InboundEvent> Records, long End, bool Torn, long? FirstId);

    /// <summary>Reads a segment's records. A header that does not check out is a prepared file, or one whose header a
    /// crash cut short as the segment started: either way it holds no acknowledged record.</summary>
    public static Scan Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<InboundEvent>();
        if (!HeaderChecksOut(bytes)) return new Scan(records, 0, false, null);
        var firstId = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        var at = HeaderBytes;
        var expected = firstId;
        while (true)
        {
            var read = JournalRecord.TryRead(bytes.AsSpan(at), out var e, out var consumed);
            if (read == JournalRecord.Read.End) return new Scan(records, at, false, firstId);
            // A former life's record (a recycled file) ends this segment's records as a zero length would.
            if (read == JournalRecord.Read.Record && e!.Id < expected) return new Scan(records, at, false, firstId);
            if (read == JournalRecord.Read.Torn || e!.Id != expected) return new Scan(records, at, true, firstId);
            records.Add(e);
            expected++;
            at += consumed;
        }
    }

    private static bool HeaderChecksOut(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= HeaderBytes && bytes[..8].SequenceEqual(Magic)
        && BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]) == Version
        && BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]) == Crc32.HashToUInt32(bytes[..24]);
}
