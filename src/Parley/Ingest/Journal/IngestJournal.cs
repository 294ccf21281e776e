using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Parley.Ingest.Journal;

/// <summary>The ingest journal's files (docs/adr/0045): the ingest writer appends each batch of deliveries here, in one
/// write and one flush, assigns their ids and acknowledges them; the processor (or <see cref="JournalMover"/>) commits
/// them to the database and reports what it committed (docs/adr/0048), and a segment whose every record is in the database is recycled as a later
/// segment (or deleted). Appends come from the writer's thread alone; <see cref="Moved"/> from whoever holds the queue's front (the processor or the mover, one at a time).</summary>
internal sealed partial class IngestJournal : IDisposable
{
    /// <summary>Prepared segments kept waiting beyond the one being written; more are deleted once moved.</summary>
    private const int Prepared = 2;

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly ILogger _log;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly object _segments = new();
    private readonly List<(long Sequence, long LastId, string Path)> _closed = [];
    // Named, flushed and ready to be written from their start, lowest sequence first.
    private readonly SortedDictionary<long, string> _prepared = [];
    private long _lastSequence;

    private SafeFileHandle? _active;
    private string _activePath = "";
    private long _activeSequence;
    private long _position;
    private bool _activeGrows;
    private long _next;
    private Task _preparing = Task.CompletedTask;

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
        var scans = JournalSegment.List(folder).Select(s => (s.Sequence, s.Path, Scan: JournalSegment.Read(s.Path))).ToList();
        // The segment written last is the one whose records start latest (the files' names are in the order they were
        // prepared, which a segment started while another was being prepared can leave behind).
        var lastWritten = scans.Count == 0 ? -1 : scans.IndexOf(scans.MaxBy(s => s.Scan.FirstId ?? long.MinValue));
        for (var i = 0; i < scans.Count; i++)
        {
            var (sequence, path, scan) = scans[i];
            journal._lastSequence = Math.Max(journal._lastSequence, sequence);
            if (scan.FirstId is not { } firstId)
            {
                journal._prepared[sequence] = path;
                continue;
            }
            if (scan.Torn)
            {
                if (i == lastWritten) LogTornTail(log, Path.GetFileName(path), scan.End);
                else LogDamaged(log, Path.GetFileName(path), scan.End);
                // Zeroed from the cut on: a segment that is not the last one must end in a zero length, like the others.
                using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
                RandomAccess.Write(file, new byte[Math.Max(0, RandomAccess.GetLength(file) - scan.End)], scan.End);
                DiskSync.Data(file);
            }
            foreach (var e in scan.Records)
                if (e.Id > storedUpTo) unmoved.Add(e);
            var lastId = scan.Records.Count > 0 ? scan.Records[^1].Id : firstId - 1;
            highest = Math.Max(highest, lastId);
            journal._closed.Add((sequence, lastId, path));
        }
        // In id order whatever the files' order: the mover stores them in order, so the database always holds a prefix
        // of the journal.
        unmoved.Sort((a, b) => a.Id.CompareTo(b.Id));
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
            if (_active is null || (_position > JournalSegment.HeaderBytes && _position + _buffer.WrittenCount > _segmentBytes)
                || (_activeGrows && AnyPrepared()))
                StartSegment();
            RandomAccess.Write(_active!, _buffer.WrittenSpan, _position);
            DiskSync.Data(_active!);
            _position += records;
            _next += batch.Count;
        }
        catch
        {
            // Whatever part of the batch reached the disk lies past the segment's known end; the next append starts a
            // new segment, so it is never mistaken for the records that follow. Its ids are skipped.
            CloseActive(lastId: _next - 1);
            _next += batch.Count;
            throw;
        }
        finally
        {
            // The next segment is prepared while this one fills, off the writer's thread; a segment that grows is left
            // for a prepared one as soon as there is one (its first megabyte written: a test writes less, and never
            // waits for a segment's worth of zeros).
            if (_position > (_activeGrows ? 1 << 20 : _segmentBytes / 2)) Prepare();
        }
    }

    /// <summary>Closes the active segment and starts the next: a prepared file when one waits, so the start writes a
    /// header over zeros and flushes data alone. A segment that grows as it is written, or a name made on the way,
    /// costs the flush the file system's own journal commit, and that commit waits for whatever else the disk has to
    /// write (SQLite's checkpoints): 0.9 ms per write and flush into a file written full of zeros beforehand against
    /// 3.9 ms into one that grows, quiet; and stalls of 100-300 ms under the benchmark's load (docs/adr/0045).</summary>
    private void StartSegment()
    {
        if (_active is not null) CloseActive(lastId: _next - 1);
        string path;
        long sequence;
        var named = false;
        lock (_segments)
        {
            if (_prepared.Count > 0)
            {
                (sequence, path) = _prepared.First();
                _prepared.Remove(sequence);
            }
            else
            {
                // Nothing prepared yet (the first segment, or the mover far behind): a new file, its name flushed here.
                sequence = ++_lastSequence;
                path = Path.Combine(_folder, JournalSegment.NameFor(sequence));
                named = true;
            }
        }
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        try
        {
            var start = new byte[JournalSegment.HeaderBytes + JournalRecord.FrameBytes];
            JournalSegment.Header(_next).CopyTo(start, 0);
            RandomAccess.Write(handle, start, 0);
            DiskSync.Data(handle);
            if (named) DiskSync.Folder(_folder);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        (_active, _activePath, _activeSequence, _position, _activeGrows) = (handle, path, sequence, JournalSegment.HeaderBytes, named);
    }

    private bool AnyPrepared()
    {
        lock (_segments) return _prepared.Count > 0;
    }

    private void CloseActive(long lastId)
    {
        if (_active is null) return;
        _active.Dispose();
        _active = null;
        lock (_segments) _closed.Add((_activeSequence, lastId, _activePath));
    }

    /// <summary>Makes sure a prepared segment waits: while the mover keeps up, the segment closed before is recycled into
    /// it (<see cref="Moved"/>); otherwise a new file is written full of zeros here, on a thread of its own.</summary>
    private void Prepare()
    {
        if (!_preparing.IsCompleted) return;
        lock (_segments)
        {
            if (_prepared.Count > 0) return;
        }
        _preparing = Task.Factory.StartNew(() =>
        {
            long sequence;
            lock (_segments) sequence = ++_lastSequence;
            var path = Path.Combine(_folder, JournalSegment.NameFor(sequence));
            try
            {
                using (var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
                {
                    var zeros = new byte[1 << 20];
                    for (long at = 0; at < _segmentBytes; at += zeros.Length)
                        RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, _segmentBytes - at)), at);
                    DiskSync.Data(file);
                }
                DiskSync.Folder(_folder);
                lock (_segments) _prepared[sequence] = path;
            }
            catch (IOException e) { LogNotRecycled(_log, e, path); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Every delivery up to <paramref name="upTo"/> is committed to the database: the closed segments that hold
    /// nothing later are recycled as prepared ones (their header zeroed, renamed past every other), or deleted when
    /// enough wait.</summary>
    public void Moved(long upTo)
    {
        lock (_segments)
        {
            var changed = false;
            for (var i = 0; i < _closed.Count; i++)
            {
                var (_, lastId, path) = _closed[i];
                if (lastId > upTo) continue;
                try
                {
                    if (_prepared.Count < Prepared && new FileInfo(path).Length <= _segmentBytes * 2)
                    {
                        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
                        {
                            RandomAccess.Write(file, new byte[JournalSegment.HeaderBytes], 0);
                            DiskSync.Data(file);
                        }
                        var sequence = ++_lastSequence;
                        var recycled = Path.Combine(_folder, JournalSegment.NameFor(sequence));
                        File.Move(path, recycled);
                        _prepared[sequence] = recycled;
                    }
                    else File.Delete(path);
                }
                catch (IOException e) { LogNotRecycled(_log, e, path); continue; }
                _closed.RemoveAt(i--);
                changed = true;
            }
            if (changed) DiskSync.Folder(_folder);
        }
    }

    /// <summary>The segment files that hold records not yet recycled (the closed ones and the one being written), for
    /// tests and operators; prepared files are not among them.</summary>
    public IReadOnlyList<string> SegmentFiles()
    {
        lock (_segments)
            return [.. _closed.Select(c => c.Path).Concat(_active is null ? [] : [_activePath])];
    }

    public void Dispose()
    {
        _active?.Dispose();
        _preparing.Wait();
    }

    [LoggerMessage(LogLevel.Warning, "The ingest journal's last segment {Segment} ended in a record a crash cut short, at byte {At}: it was never acknowledged, and was cut off.")]
    private static partial void LogTornTail(ILogger logger, string segment, long at);

    [LoggerMessage(LogLevel.Error, "The ingest journal's segment {Segment} holds a record that does not check out at byte {At}, though later segments follow: the records before it are kept, the rest cannot be read.")]
    private static partial void LogDamaged(ILogger logger, string segment, long at);

    [LoggerMessage(LogLevel.Warning, "Could not recycle, prepare or delete the journal segment {Path}; it is tried again later.")]
    private static partial void LogNotRecycled(ILogger logger, IOException e, string path);
}
