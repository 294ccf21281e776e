using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Parley.Ingest.Journal;

/// <summary>The ingest journal's files (docs/adr/0045): the ingest writer appends each batch of deliveries here, in one
/// write and one flush, assigns their ids and acknowledges them; <see cref="JournalMover"/> copies them into the
/// database and reports what it committed, and a segment whose every record is in the database is deleted (or kept
/// as the next segment, overwritten in place). Appends come from the writer's thread alone; <see cref="Moved"/> from
/// the mover's.</summary>
internal sealed partial class IngestJournal : IDisposable
{
    /// <summary>Where recycled segments wait to be written over; not a segment name, so scans never read it.</summary>
    private const string SpareName = "spare.recycle";

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly ILogger _log;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly object _segments = new();
    private readonly List<(long FirstId, long LastId, string Path)> _closed = [];

    private SafeFileHandle? _active;
    private string _activePath = "";
    private long _activeFirstId;
    private long _position;
    private long _next;

    private IngestJournal(string folder, long segmentBytes, ILogger log)
    {
        _folder = folder;
        _segmentBytes = segmentBytes;
        _log = log;
    }

    /// <summary>The id the next appended delivery gets.</summary>
    public long NextId => _next;

    /// <summary>Opens the journal in <paramref name="folder"/> and reads what it holds past <paramref name="storedUpTo"/>
    /// (the highest id the database has ever given an inbound delivery): the deliveries acknowledged but not yet moved
    /// when the process stopped. A record that does not check out at a segment's end is a write that a crash cut short,
    /// never acknowledged: the segment is cut there.</summary>
    public static IngestJournal Open(string folder, long segmentBytes, long storedUpTo, ILogger log, out List<InboundEvent> unmoved)
    {
        Directory.CreateDirectory(folder);
        var journal = new IngestJournal(folder, segmentBytes, log);
        unmoved = [];
        var highest = storedUpTo;
        var segments = JournalSegment.List(folder);
        for (var i = 0; i < segments.Count; i++)
        {
            var (firstId, path) = segments[i];
            var scan = JournalSegment.Read(path, firstId);
            if (scan.Torn)
            {
                if (i == segments.Count - 1) LogTornTail(log, Path.GetFileName(path), scan.End);
                else LogDamaged(log, Path.GetFileName(path), scan.End);
                using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
                RandomAccess.SetLength(file, scan.End);
                DiskSync.Data(file);
            }
            foreach (var e in scan.Records)
                if (e.Id > storedUpTo) unmoved.Add(e);
            var lastId = scan.Records.Count > 0 ? scan.Records[^1].Id : firstId - 1;
            highest = Math.Max(highest, lastId);
            journal._closed.Add((firstId, lastId, path));
        }
        journal._next = highest + 1;
        return journal;
    }

    /// <summary>Appends <paramref name="batch"/> in one write and flushes it to the disk; fills in the ids it gave.</summary>
    /// <exception cref="IOException">Nothing in the batch may be acknowledged; its ids are not given again.</exception>
    public void Append(IReadOnlyList<InboundEvent> batch, long[] ids)
    {
        _buffer.ResetWrittenCount();
        for (var i = 0; i < batch.Count; i++)
        {
            ids[i] = _next + i;
            JournalRecord.Write(_buffer, ids[i], batch[i]);
        }
        // A zero length after the batch, in the same write: where the records end, over whatever a recycled segment held
        // there. So a record that does not check out can only be a write a crash cut short.
        var records = _buffer.WrittenCount;
        _buffer.GetSpan(JournalRecord.FrameBytes)[..JournalRecord.FrameBytes].Clear();
        _buffer.Advance(JournalRecord.FrameBytes);
        try
        {
            if (_active is null || (_position > JournalSegment.HeaderBytes && _position + records > _segmentBytes))
                StartSegment();
            RandomAccess.Write(_active!, _buffer.WrittenSpan, _position);
            DiskSync.Data(_active!);
            _position += records;
            _next += batch.Count;
            if (_position > _segmentBytes / 2) PrepareSpare();
        }
        catch
        {
            // Whatever part of the batch reached the disk lies past the segment's known end; the next append starts a
            // new segment, so it is never mistaken for the records that follow. Its ids are skipped.
            CloseActive(lastId: _next - 1);
            _next += batch.Count;
            throw;
        }
    }

    /// <summary>Closes the active segment and starts the next one, named by the next id: a recycled segment when one
    /// waits (its blocks are already the file's, so a flush writes data alone), else a new file.</summary>
    private void StartSegment()
    {
        if (_active is not null) CloseActive(lastId: _next - 1);
        var path = Path.Combine(_folder, JournalSegment.NameFor(_next));
        var spare = Path.Combine(_folder, SpareName);
        lock (_segments)
        {
            if (File.Exists(spare) && !File.Exists(path)) File.Move(spare, path);
        }
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        try
        {
            RandomAccess.Write(handle, JournalSegment.Header(_next), 0);
            // A zero length right after the header: a segment that was recycled ends here until records are written.
            RandomAccess.Write(handle, new byte[JournalRecord.FrameBytes], JournalSegment.HeaderBytes);
            DiskSync.Data(handle);
            DiskSync.Folder(_folder);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        (_active, _activePath, _activeFirstId, _position) = (handle, path, _next, JournalSegment.HeaderBytes);
    }

    private void CloseActive(long lastId)
    {
        if (_active is null) return;
        _active.Dispose();
        _active = null;
        lock (_segments) _closed.Add((_activeFirstId, lastId, _activePath));
    }

    private Task _preparing = Task.CompletedTask;

    /// <summary>Makes sure a spare waits when the active segment is full: while the mover keeps up, the segment closed
    /// before this one is it; otherwise a new file is written full of zeros here, off the writer's thread. A segment
    /// that grows as it is written costs every flush the file system's own journal commit (the new size and blocks), and
    /// that commit waits for whatever else the disk has to write (SQLite's checkpoints): measured, 0.9 ms per write and
    /// flush into a file written with zeros beforehand against 3.9 ms into one that grows, and far longer under load
    /// (docs/adr/0045).</summary>
    private void PrepareSpare()
    {
        if (!_preparing.IsCompleted) return;
        var spare = Path.Combine(_folder, SpareName);
        if (File.Exists(spare)) return;
        _preparing = Task.Factory.StartNew(() =>
        {
            var preparing = Path.Combine(_folder, "spare.preparing");
            try
            {
                using (var file = File.OpenHandle(preparing, FileMode.Create, FileAccess.ReadWrite))
                {
                    var zeros = new byte[1 << 20];
                    for (long at = 0; at < _segmentBytes; at += zeros.Length)
                        RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, _segmentBytes - at)), at);
                    DiskSync.Data(file);
                }
                lock (_segments)
                {
                    if (File.Exists(spare)) File.Delete(preparing);
                    else File.Move(preparing, spare);
                }
            }
            catch (IOException e) { LogNotRemoved(_log, e, preparing); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Every delivery up to <paramref name="upTo"/> is committed to the database: the closed segments that hold
    /// nothing later go. One is kept as the spare the next segment is written over.</summary>
    public void Moved(long upTo)
    {
        lock (_segments)
        {
            var spare = Path.Combine(_folder, SpareName);
            var removed = false;
            for (var i = 0; i < _closed.Count; i++)
            {
                var (_, lastId, path) = _closed[i];
                if (lastId > upTo) continue;
                try
                {
                    if (!File.Exists(spare) && new FileInfo(path).Length <= _segmentBytes * 2) File.Move(path, spare);
                    else File.Delete(path);
                }
                catch (IOException e) { LogNotRemoved(_log, e, path); continue; }
                _closed.RemoveAt(i--);
                removed = true;
            }
            if (removed) DiskSync.Folder(_folder);
        }
    }

    /// <summary>The segment files now in the folder, for tests and operators.</summary>
    public IReadOnlyList<string> SegmentFiles() => [.. JournalSegment.List(_folder).Select(s => s.Path)];

    public void Dispose()
    {
        _active?.Dispose();
        _preparing.Wait();
    }

    [LoggerMessage(LogLevel.Warning, "The ingest journal's last segment {Segment} ended in a record a crash cut short, at byte {At}: it was never acknowledged, and was cut off.")]
    private static partial void LogTornTail(ILogger logger, string segment, long at);

    [LoggerMessage(LogLevel.Error, "The ingest journal's segment {Segment} holds a record that does not check out at byte {At}, though later segments follow: the records before it are kept, the rest cannot be read.")]
    private static partial void LogDamaged(ILogger logger, string segment, long at);

    [LoggerMessage(LogLevel.Warning, "Could not remove or prepare the journal segment {Path}; it is tried again later.")]
    private static partial void LogNotRemoved(ILogger logger, IOException e, string path);
}
