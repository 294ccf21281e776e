using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <param name="TimeZoneId">IANA zone for business hours; omit (with <paramref name="Week"/>) for around the clock.</param>
public sealed record ServiceLevelRequest(Guid? BrandId, string? Name, int? Order, string? ChannelKind, string? Visibility,
    TimeSpan? TimeToAcknowledge, TimeSpan? TimeToNextResponse, TimeSpan? TimeToResolve,
    string? TimeZoneId, IReadOnlyList<WeeklyOpening>? Week, IReadOnlyList<DateOnly>? Holidays,
    bool? PausesWhileWaitingOnCustomer, bool? PausesWhileSnoozed, IReadOnlyList<TimeSpan>? WarningLeadTimes);

public sealed record ServiceLevelDto(Guid Id, Guid BrandId, string Name, int Order, string? ChannelKind, string? Visibility,
    TimeSpan? TimeToAcknowledge, TimeSpan? TimeToNextResponse, TimeSpan? TimeToResolve, string? TimeZoneId,
    IReadOnlyList<WeeklyOpening> Week, IReadOnlyList<DateOnly> Holidays, bool PausesWhileWaitingOnCustomer, bool PausesWhileSnoozed,
    IReadOnlyList<TimeSpan> WarningLeadTimes)
{
    public static ServiceLevelDto From(ServiceLevelPolicyRecord p) => new(p.Id, p.BrandId, p.Name, p.Order, p.ChannelKind, p.Visibility,
        p.TimeToAcknowledge, p.TimeToNextResponse, p.TimeToResolve, p.TimeZoneId, ServiceLevelPolicyRecord.ReadWeek(p.Week),
        ServiceLevelPolicyRecord.ReadHolidays(p.Holidays), p.PausesWhileWaitingOnCustomer, p.PausesWhileSnoozed,
        JsonSerializer.Deserialize<List<TimeSpan>>(p.WarningLeadTimes) ?? []);
}

/// <summary>Service-level policies per brand: which conversations they cover and what they promise.</summary>
public static class ServiceLevelEndpoints
{
    public static void MapServiceLevelEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/service-levels").WithTags("Service levels");
        group.MapGet("/", async (ParleyDb db, Guid? brandId, CancellationToken ct) => TypedResults.Ok(
            (await db.ServiceLevelPolicies.AsNoTracking().Where(p => brandId == null || p.BrandId == brandId)
                .OrderBy(p => p.BrandId).ThenBy(p => p.Order).ToListAsync(ct)).Select(ServiceLevelDto.From).ToList()))
            .WithSummary("Service-level policies, per brand in the order they are tried.");
        group.MapGet("/{id:guid}", async Task<Results<Ok<ServiceLevelDto>, ProblemHttpResult>> (Guid id, ParleyDb db, CancellationToken ct) =>
            await db.ServiceLevelPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } p
                ? TypedResults.Ok(ServiceLevelDto.From(p)) : Problems.NotFound("service-level policy", id))
            .WithSummary("One service-level policy.");
        group.MapPost("/", Create).WithSummary("Adds a policy. Targets are ISO-like durations (\"00:30:00\"); business hours need a time zone and a week.");
        group.MapPut("/{id:guid}", Update).WithSummary("Replaces a policy; open conversations' clocks are re-evaluated.");
        group.MapDelete("/{id:guid}", Delete).WithSummary("Removes a policy.");
    }

    private static async Task<Results<Created<ServiceLevelDto>, ValidationProblem>> Create(
        ServiceLevelRequest request, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        var record = new ServiceLevelPolicyRecord { BrandId = request.BrandId!.Value, CreatedAt = now };
        Apply(record, request);
        db.ServiceLevelPolicies.Add(record);
        db.Append("service_level.policy_created", $"service-levels/{record.Id}", record.BrandId, ServiceLevelDto.From(record), now);
        await SaveAndRecheckAsync(db, record.BrandId, ct);
        return TypedResults.Created($"/api/v1/service-levels/{record.Id}", ServiceLevelDto.From(record));
    }

    private static async Task<Results<Ok<ServiceLevelDto>, ProblemHttpResult, ValidationProblem>> Update(
        Guid id, ServiceLevelRequest request, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        var record = await db.ServiceLevelPolicies.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (record is null) return Problems.NotFound("service-level policy", id);
        var errors = await ValidateAsync(request with { BrandId = record.BrandId }, db, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        Apply(record, request);
        db.Append("service_level.policy_changed", $"service-levels/{id}", record.BrandId, ServiceLevelDto.From(record), clock.GetUtcNow());
        await SaveAndRecheckAsync(db, record.BrandId, ct);
        return TypedResults.Ok(ServiceLevelDto.From(record));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ParleyDb db, TimeProvider clock, CancellationToken ct)
    {
        var record = await db.ServiceLevelPolicies.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (record is null) return Problems.NotFound("service-level policy", id);
        db.ServiceLevelPolicies.Remove(record);
        db.Append("service_level.policy_deleted", $"service-levels/{id}", record.BrandId, new DeletedByNameData(id, record.Name, null), clock.GetUtcNow());
        await SaveAndRecheckAsync(db, record.BrandId, ct);
        return TypedResults.NoContent();
    }

    // A changed policy changes every open conversation's clocks (targets, business hours): have the sweep
    // recompute their next due instants. The policy and the marks commit together, so a sweep that sees a mark
    // and then reads the policies (it reads them after each batch) never pairs the mark with the old policy; and
    // the mark is new, so a pass that read a conversation marked earlier, with the old policy, cannot clear it.
    private static async Task SaveAndRecheckAsync(ParleyDb db, Guid brandId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var mark = Conversations.Conversation.NewBulkMark();
        await db.Conversations.Where(c => c.BrandId == brandId && c.Status == Conversations.ConversationStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextClockCheckAt, mark), ct);
        await tx.CommitAsync(ct);
    }

    private static void Apply(ServiceLevelPolicyRecord r, ServiceLevelRequest q)
    {
        r.Name = q.Name!.Trim();
        r.Order = q.Order ?? 0;
        r.ChannelKind = q.ChannelKind;
        r.Visibility = q.Visibility;
        r.TimeToAcknowledge = q.TimeToAcknowledge;
        r.TimeToNextResponse = q.TimeToNextResponse;
        r.TimeToResolve = q.TimeToResolve;
        r.TimeZoneId = q.TimeZoneId;
        r.Week = JsonSerializer.Serialize(q.Week ?? [], JsonSerializerOptions.Web);
        r.Holidays = JsonSerializer.Serialize(q.Holidays ?? []);
        r.PausesWhileWaitingOnCustomer = q.PausesWhileWaitingOnCustomer ?? true;
        r.PausesWhileSnoozed = q.PausesWhileSnoozed ?? false;
        r.WarningLeadTimes = JsonSerializer.Serialize(q.WarningLeadTimes ?? []);
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(ServiceLevelRequest q, ParleyDb db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (q.BrandId is not { } brandId || !await db.Brands.AnyAsync(b => b.Id == brandId, ct))
            errors["brandId"] = ["'brandId' must name an existing brand."];
        if (string.IsNullOrWhiteSpace(q.Name)) errors["name"] = ["A policy needs a name."];
        if (q.ChannelKind is not (null or "x" or "meta")) errors["channelKind"] = ["'channelKind' is 'x', 'meta' or omitted for any."];
        if (q.Visibility is not (null or "public" or "private")) errors["visibility"] = ["'visibility' is 'public', 'private' or omitted for either."];
        if (q.TimeToAcknowledge is null && q.TimeToNextResponse is null && q.TimeToResolve is null)
            errors["targets"] = ["Give at least one of timeToAcknowledge, timeToNextResponse, timeToResolve."];
        if (q.TimeZoneId is { } zone)
        {
            var problems = BusinessCalendar.Problems(zone, q.Week ?? []);
            if (problems.Count > 0) errors["timeZoneId"] = [.. problems];
        }
        else if (q.Week is { Count: > 0 })
        {
            errors["timeZoneId"] = ["Business hours need an IANA time zone such as 'Europe/London'."];
        }
        if (errors.Count == 0 && q.Name is not null)
        {
            var policy = new ServiceLevelPolicy
            {
                Name = q.Name, TimeToAcknowledge = q.TimeToAcknowledge, TimeToNextResponse = q.TimeToNextResponse,
                TimeToResolve = q.TimeToResolve, WarningLeadTimes = q.WarningLeadTimes ?? [],
            };
            if (policy.Problems() is { Count: > 0 } p) errors["targets"] = [.. p];
        }
        return errors;
    }
}
