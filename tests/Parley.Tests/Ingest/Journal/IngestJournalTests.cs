using Microsoft.Extensions.Logging.Abstractions;
using Parley.Ingest;
using Parley.Ingest.Journal;

namespace Parley.Tests.IngestTests.Journal;

/// <summary>The ingest journal's files on a real disk (docs/adr/0045): what is appended is read back after a restart,
/// a write a crash cut short is cut off, ids go on past both the database and the journal, moved segments go.</summary>
public sealed class IngestJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "parley-tests", "journal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private IngestJournal Open(long storedUpTo, out List<InboundEvent> unmoved, long segmentBytes = JournalSettings.DefaultSegmentBytes) =>
        IngestJournal.Open(_folder, segmentBytes, storedUpTo, NullLogger.Instance, out unmoved);

    private static InboundEvent Delivery(int n, int bodyBytes = 300) => new()
    {
        ChannelId = Guid.NewGuid(),
        Source = n % 2 == 0 ? "x.webhook" : "meta.webhook",
        ReceivedAt = new DateTimeOffset(2026, 12, 5, 14, 0, 0, TimeSpan.FromHours(n % 3)).AddTicks(n * 1234567),
        Body = [.. Enumerable.Range(0, bodyBytes).Select(i => (byte)(i * 7 + n))],
        Status = n % 5 == 0 ? InboundStatus.Quarantined : InboundStatus.Pending,
        Error = n % 5 == 0 ? $"'$.entry' must be an array ({n}, ünïcode)" : null,
    };

    private static long[] Append(IngestJournal journal, List<InboundEvent> batch)
    {
        var ids = new long[batch.Count];
        journal.Append(batch, ids);
        return ids;
    }

    [Fact]
    public void What_was_appended_is_read_back_after_a_restart_with_its_ids_and_every_field()
    {
        var first = Enumerable.Range(0, 5).Select(n => Delivery(n)).ToList();
        var second = Enumerable.Range(5, 3).Select(n => Delivery(n, bodyBytes: n == 6 ? 0 : 5000)).ToList();
        long[] firstIds, secondIds;
        using (var journal = Open(storedUpTo: 41, out var none))
        {
            Assert.Empty(none);
            firstIds = Append(journal, first);
            secondIds = Append(journal, second);
        }
        Assert.Equal([42, 43, 44, 45, 46], firstIds);
        Assert.Equal([47, 48, 49], secondIds);

        using var reopened = Open(storedUpTo: 41, out var unmoved);
        Assert.Equal(firstIds.Concat(secondIds), unmoved.Select(e => e.Id));
        foreach (var (written, read) in first.Concat(second).Zip(unmoved))
        {
            Assert.Equal(written.ChannelId, read.ChannelId);
            Assert.Equal(written.Source, read.Source);
            Assert.Equal(written.ReceivedAt, read.ReceivedAt);
            Assert.Equal(written.ReceivedAt.Offset, read.ReceivedAt.Offset);
            Assert.Equal(written.Status, read.Status);
            Assert.Equal(written.Error, read.Error);
            Assert.Equal(written.Body, read.Body);
        }
        Assert.Equal(50, reopened.NextId);
    }

    [Fact]
    public void Only_what_the_database_does_not_hold_is_moved_after_a_restart()
    {
        using (var journal = Open(storedUpTo: 0, out _))
        {
            Append(journal, [Delivery(1), Delivery(2)]);
            Append(journal, [Delivery(3), Delivery(4)]);
        }
        using var reopened = Open(storedUpTo: 3, out var unmoved);
        Assert.Equal([4], unmoved.Select(e => e.Id));
        Assert.Equal(5, reopened.NextId);
    }

    [Fact]
    public void Ids_go_on_past_the_database_and_the_journal_across_restarts()
    {
        using (var journal = Open(storedUpTo: 1000, out _)) Assert.Equal([1001, 1002], Append(journal, [Delivery(1), Delivery(2)]));
        // The database is behind the journal (the mover had not run): the journal's ids are not given again.
        using (var journal = Open(storedUpTo: 1000, out _)) Assert.Equal([1003], Append(journal, [Delivery(3)]));
        // The database is ahead (rows stored while the journal was off): its ids are not given again either.
        using (var journal = Open(storedUpTo: 5000, out _)) Assert.Equal([5001], Append(journal, [Delivery(4)]));
    }

    [Theory]
    [InlineData("cut short")]
    [InlineData("checksum")]
    public void A_last_record_that_a_crash_cut_short_is_cut_off_and_the_records_before_it_kept(string damage)
    {
        string segment;
        using (var journal = Open(storedUpTo: 0, out _))
        {
            Append(journal, [Delivery(1), Delivery(2)]);
            Append(journal, [Delivery(3)]);
            segment = Assert.Single(journal.SegmentFiles());
        }
        var bytes = File.ReadAllBytes(segment);
        var end = bytes.Length - 8; // the zero length after the last batch
        // Delivery 3: a frame, the payload's fixed 45 bytes, its source and a body of 300 bytes.
        var lastRecord = end - (JournalRecord.FrameBytes + 45 + "meta.webhook".Length + 300);
        if (damage == "cut short") bytes = bytes[..(end - 100)];
        else bytes[end - 10] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        using (var reopened = Open(storedUpTo: 0, out var unmoved))
        {
            Assert.Equal([1, 2], unmoved.Select(e => e.Id));
            Assert.Equal(3, reopened.NextId);
            Assert.True(File.ReadAllBytes(segment).AsSpan(lastRecord).IndexOfAnyExcept((byte)0) < 0, "zeros from the cut on");
            // The id of the record that was never acknowledged is given to the next delivery.
            Assert.Equal([3], Append(reopened, [Delivery(9)]));
        }
        using var again = Open(storedUpTo: 0, out var all);
        Assert.Equal([1, 2, 3], all.Select(e => e.Id));
        Assert.Equal(Delivery(9).Body, all[2].Body);
    }

    [Fact]
    public void A_segment_goes_once_everything_in_it_is_in_the_database_and_the_next_is_written_over_it()
    {
        using var journal = Open(storedUpTo: 0, out _, segmentBytes: 4096);
        var ids = new List<long>();
        for (var n = 0; n < 12; n++) ids.AddRange(Append(journal, [Delivery(n, bodyBytes: 1000)]));
        var segments = journal.SegmentFiles();
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");

        // Moved up to the middle of the second segment (3 records of ~1 KB to a 4 KB segment): only the first goes.
        journal.Moved(ids[4]);
        Assert.Equal(segments.Skip(1), journal.SegmentFiles());

        // Everything moved: only the segment being written stays.
        journal.Moved(ids[^1]);
        Assert.Equal([segments[^1]], journal.SegmentFiles());

        // The next segments are written over the recycled one; a restart reads the new records only, not its old ones.
        var later = new List<long>();
        for (var n = 12; n < 20; n++) later.AddRange(Append(journal, [Delivery(n, bodyBytes: 1000)]));
        journal.Dispose();
        using var reopened = Open(storedUpTo: ids[^1], out var unmoved);
        Assert.Equal(later, unmoved.Select(e => e.Id));
    }
}
