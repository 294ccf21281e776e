using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;

namespace Parley.Ingest;

public sealed record InboundSummary(long Id, Guid ChannelId, string Source, DateTimeOffset ReceivedAt, string Status,
    string? Error, int MessageCount, int UnhandledCount, int Bytes);

public sealed record InboundDetail(InboundSummary Summary, string Body);

/// <param name="OldestPendingAgeSeconds">How long the oldest delivery waiting to be processed has waited (null: none
/// waits): the inbox is this far behind. While acknowledgements queue it may reach <c>Parley:Ingest:MaxProcessingDelay</c>
/// (docs/adr/0047).</param>
/// <param name="ProcessingYields">True while processing leaves the CPU to queuing acknowledgements.</param>
public sealed record InboundStats(IReadOnlyDictionary<string, int> ByStatus, int UnhandledEvents, double? OldestPendingAgeSeconds = null,
    bool ProcessingYields = false);

/// <summary>The raw inbound log for operators: what was quarantined and why, what went unhandled, and replay.</summary>
public static class InboundEndpoints
{
    public static void MapInboundEndpoints(this IEndpointRouteBuilder api)
    {
        var inbound = api.MapGroup("/inbound").WithTags("Inbound log");
        inbound.MapGet("/quarantine", Quarantine).WithSummary("Signed deliveries that were refused as malformed, newest first.");
        inbound.MapGet("/stats", Stats).WithSummary("Deliveries by status, how many events of unhandled kinds were kept, and how far processing is behind.");
        inbound.MapGet("/{id:long}", Get).WithSummary("One raw delivery with its body exactly as received.");
        inbound.MapPost("/{id:long}/replay", Replay).WithSummary("Processes a stored delivery again. Messages already stored are not duplicated.");
    }

    private static InboundSummary Summarize(InboundEvent e) => new(e.Id, e.ChannelId, e.Source, e.ReceivedAt,
        e.Status.ToString().ToLowerInvariant(), e.Error, e.MessageCount, e.UnhandledCount, e.Body.Length);

    private static async Task<Ok<List<InboundSummary>>> Quarantine(ParleyDb db, int? limit, CancellationToken ct)
    {
        var rows = await db.InboundEvents.AsNoTracking().Where(e => e.Status == InboundStatus.Quarantined)
            .OrderByDescending(e => e.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(Summarize).ToList());
    }

    private static async Task<Ok<InboundStats>> Stats(ParleyDb db, InboundProcessor processor, IngestWriter writer, TimeProvider clock, CancellationToken ct)
    {
        // Read first: a delivery leaving the journal meanwhile is then found in the database below, not missed by both.
        var (journalled, oldestJournalled) = writer.Journalled?.Backlog() ?? (0, null);
        var byStatus = (await db.InboundEvents.GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => x.Key.ToString().ToLowerInvariant(), x => x.Count);
        var unhandled = await db.InboundEvents.SumAsync(e => e.UnhandledCount, ct);
        // On SQLite the deliveries the ingest journal acknowledged and the processor has not taken yet are waiting too,
        // after every pending row (docs/adr/0048).
        var oldest = await db.InboundEvents.AsNoTracking().Where(e => e.Status == InboundStatus.Pending).OrderBy(e => e.Id)
            .Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(ct) ?? oldestJournalled;
        if (journalled > 0) byStatus["pending"] = byStatus.GetValueOrDefault("pending") + journalled;
        var age = oldest is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : (double?)null;
        return TypedResults.Ok(new InboundStats(byStatus, unhandled, age, processor.Yielding));
    }

    private static async Task<Results<Ok<InboundDetail>, ProblemHttpResult>> Get(long id, ParleyDb db, CancellationToken ct)
    {
        var e = await db.InboundEvents.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return e is null ? Problems.NotFound("inbound delivery", id) : TypedResults.Ok(new InboundDetail(Summarize(e), Encoding.UTF8.GetString(e.Body)));
    }

    private static async Task<Results<Accepted<InboundSummary>, ProblemHttpResult>> Replay(
        long id, ParleyDb db, InboundSignal signal, CancellationToken ct)
    {
        var e = await db.InboundEvents.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e is null) return Problems.NotFound("inbound delivery", id);
        if (e.Status == InboundStatus.Quarantined)
            return Problems.Conflict("Quarantined", "A malformed delivery cannot be replayed; the network must send it again.");
        e.Status = InboundStatus.Pending;
        e.Error = null;
        await db.SaveChangesAsync(ct);
        signal.Pulse();
        return TypedResults.Accepted($"/api/v1/inbound/{id}", Summarize(e));
    }
}
