using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Parley.Ingest.Journal;

/// <summary>One delivery as the ingest journal frames it (docs/adr/0045): <c>u32 length, u32 CRC-32 of the payload,
/// payload</c>, little-endian. The payload is the row <see cref="RawDeliveryStore"/> writes: <c>i64 id, channel (16 bytes),
/// received at (i64 UTC ticks, i16 offset minutes), u8 status, u16 + source (UTF-8), i32 + error (UTF-8, -1 for none),
/// i32 + body</c>. A length of zero is where the written records end (a recycled or zeroed segment).</summary>
internal static class JournalRecord
{
    public const int FrameBytes = 8;
    private const int FixedPayloadBytes = 8 + 16 + 8 + 2 + 1 + 2 + 4 + 4;

    /// <summary>Appends <paramref name="e"/> with <paramref name="id"/> to <paramref name="output"/>.</summary>
    public static void Write(ArrayBufferWriter<byte> output, long id, InboundEvent e)
    {
        var sourceBytes = Encoding.UTF8.GetByteCount(e.Source);
        var errorBytes = e.Error is null ? 0 : Encoding.UTF8.GetByteCount(e.Error);
        var payloadBytes = FixedPayloadBytes + sourceBytes + errorBytes + e.Body.Length;
        var span = output.GetSpan(FrameBytes + payloadBytes);
        var p = span.Slice(FrameBytes, payloadBytes);
        BinaryPrimitives.WriteInt64LittleEndian(p, id);
        e.ChannelId.TryWriteBytes(p[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(p[24..], e.ReceivedAt.UtcTicks);
        BinaryPrimitives.WriteInt16LittleEndian(p[32..], (short)e.ReceivedAt.Offset.TotalMinutes);
        p[34] = (byte)e.Status;
        BinaryPrimitives.WriteUInt16LittleEndian(p[35..], checked((ushort)sourceBytes));
        var at = 37 + Encoding.UTF8.GetBytes(e.Source, p[37..]);
        BinaryPrimitives.WriteInt32LittleEndian(p[at..], e.Error is null ? -1 : errorBytes);
        at += 4;
        if (e.Error is not null) at += Encoding.UTF8.GetBytes(e.Error, p[at..]);
        BinaryPrimitives.WriteInt32LittleEndian(p[at..], e.Body.Length);
        e.Body.CopyTo(p[(at + 4)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payloadBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32.HashToUInt32(p));
        output.Advance(FrameBytes + payloadBytes);
    }

    /// <summary>What reading the record at the start of a buffer found.</summary>
    public enum Read { Record, End, Torn }

    /// <summary>Reads the record at the start of <paramref name="data"/>: <see cref="Read.End"/> where nothing was written
    /// (a zero length, or the file's end), <see cref="Read.Torn"/> where a record does not check out (cut short, or its
    /// checksum fails: a write the crash interrupted).</summary>
    public static Read TryRead(ReadOnlySpan<byte> data, out InboundEvent? e, out int consumed)
    {
        e = null;
        consumed = 0;
        if (data.Length < FrameBytes) return data.IndexOfAnyExcept((byte)0) < 0 ? Read.End : Read.Torn;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length == 0) return Read.End;
        if (length < FixedPayloadBytes || length > data.Length - FrameBytes) return Read.Torn;
        var p = data.Slice(FrameBytes, (int)length);
        if (Crc32.HashToUInt32(p) != BinaryPrimitives.ReadUInt32LittleEndian(data[4..])) return Read.Torn;
        var sourceBytes = BinaryPrimitives.ReadUInt16LittleEndian(p[35..]);
        var at = 37 + sourceBytes;
        var errorBytes = BinaryPrimitives.ReadInt32LittleEndian(p[at..]);
        at += 4;
        string? error = errorBytes < 0 ? null : Encoding.UTF8.GetString(p.Slice(at, errorBytes));
        at += Math.Max(errorBytes, 0);
        var bodyBytes = BinaryPrimitives.ReadInt32LittleEndian(p[at..]);
        e = new InboundEvent
        {
            Id = BinaryPrimitives.ReadInt64LittleEndian(p),
            ChannelId = new Guid(p.Slice(8, 16)),
            ReceivedAt = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(p[24..]), TimeSpan.Zero)
                .ToOffset(TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(p[32..]))),
            Status = (InboundStatus)p[34],
            Source = Encoding.UTF8.GetString(p.Slice(37, sourceBytes)),
            Error = error,
            Body = p.Slice(at + 4, bodyBytes).ToArray(),
        };
        consumed = FrameBytes + (int)length;
        return Read.Record;
    }
}
