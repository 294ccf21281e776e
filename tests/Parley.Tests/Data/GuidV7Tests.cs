using Parley.Data;

namespace Parley.Tests.Data;

/// <summary>Rows are keyed by version 7 ids made from buffered random bytes (docs/adr/0033): they must be the ids
/// <see cref="Guid.CreateVersion7()"/> would make in everything but the random bits: time-ordered by millisecond,
/// marked version 7 and RFC 9562's variant, and never repeated.</summary>
public sealed class GuidV7Tests
{
    [Fact]
    public void Ids_carry_their_time_version_and_variant_as_CreateVersion7s_do()
    {
        var at = new DateTimeOffset(2026, 12, 5, 7, 0, 0, 123, TimeSpan.Zero);
        var id = GuidV7.New(at);
        var reference = Guid.CreateVersion7(at);
        Assert.Equal(7, id.Version);
        // RFC 9562's variant is the bits 10xx: the nibble is 8 to 11, the low two bits random (in both).
        Assert.InRange(id.Variant, 8, 11);
        Assert.InRange(reference.Variant, 8, 11);
        // The first 48 bits are the Unix time in milliseconds.
        Assert.Equal(reference.ToString()[..13], id.ToString()[..13]);
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(id.ToString("N")[..12], 16));
    }

    [Fact]
    public void Ids_sort_by_time_and_never_repeat_across_many_refills_and_threads()
    {
        var t0 = DateTimeOffset.UtcNow;
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25_000; i++) ids.Add(GuidV7.New(t0));
        });
        Assert.Equal(100_000, ids.Distinct().Count());
        var later = GuidV7.New(t0.AddMilliseconds(1));
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id.ToString(), later.ToString()) < 0));
        Assert.True(string.CompareOrdinal(GuidV7.New().ToString(), GuidV7.New(t0.AddMilliseconds(-1)).ToString()) > 0);
        // Not all the same random bits: the buffer is refilled, not reused.
        Assert.True(ids.Select(id => id.ToString()[24..]).Distinct().Count() > 99_000);
    }
}
