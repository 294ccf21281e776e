using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Parley.Platform.People;

namespace Parley.Triage;

public sealed class TriageOptions
{
    /// <summary>A brand with at most this many open conversations is recomputed within the request that changed
    /// its settings; more are left to <see cref="TriageRecompute"/> in the background.</summary>
    public int InlineRecomputeLimit { get; set; } = 200;
}

/// <param name="Inline">Recomputed within the request: the inbox already ranks by the new settings.</param>
/// <param name="Pending">Open conversations still to recompute in the background.</param>
public sealed record RecomputeStatus(bool Inline, int Pending);

/// <param name="Version">Goes up with each change; 1 is the defaults.</param>
public sealed record TriageSettingsDto(Guid BrandId, int Version, DateTimeOffset? UpdatedAt, string? UpdatedBy,
    BrandTriageSettings Settings, RecomputeStatus Recompute);

/// <summary>A brand's triage settings through the API: priority weights, topics, removal rules and the patience window.</summary>
public static class TriageSettingsEndpoints
{
    public static void MapTriageSettingsEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/brands/{id:guid}/triage").WithTags("Triage");
        group.MapGet("/", GetAsync).WithSummary("A brand's triage settings (the defaults until changed), and how many open conversations still wait to be recomputed.");
        group.MapPut("/", PutAsync).Accepts<BrandTriageSettings>("application/json")
            .WithSummary("Replaces a brand's triage settings (admins and the brand's leads). Omitted fields take their defaults; unknown fields are an error. " +
                "The signals and priorities of the brand's open conversations are recomputed: within the request for a few, in the background for many.");
    }

    private static async Task<Results<Ok<TriageSettingsDto>, ProblemHttpResult>> GetAsync(Guid id, ParleyDb db, Viewer viewer, CancellationToken ct)
    {
        if (!viewer.SeesBrand(id) || !await db.Brands.AnyAsync(b => b.Id == id, ct)) return Problems.NotFound("brand", id);
        var record = await db.TriageSettings.AsNoTracking().FirstOrDefaultAsync(s => s.BrandId == id, ct);
        var version = record?.Version ?? TriageSettingsRecord.DefaultVersion;
        var pending = await Stale(db, id, version).CountAsync(ct);
        return TypedResults.Ok(new TriageSettingsDto(id, version, record?.UpdatedAt, record?.UpdatedBy,
            record is null ? BrandTriageSettings.Default : BrandTriageSettings.FromJson(record.Settings), new RecomputeStatus(pending == 0, pending)));
    }

    private static async Task<Results<Ok<TriageSettingsDto>, ProblemHttpResult, ValidationProblem>> PutAsync(
        Guid id, HttpRequest request, ParleyDb db, Viewer viewer, TimeProvider clock, IOptions<TriageOptions> options,
        TriageRecompute recompute, CancellationToken ct)
    {
        if (!viewer.SeesBrand(id) || !await db.Brands.AnyAsync(b => b.Id == id, ct)) return Problems.NotFound("brand", id);
        if (!viewer.IsAdmin && viewer.Role != UserRole.Lead)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only admins and the brand's leads change its triage settings.");

        BrandTriageSettings? settings;
        try { settings = await JsonSerializer.DeserializeAsync<BrandTriageSettings>(request.Body, BrandTriageSettings.ApiJson, ct); }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.')] = [$"The settings are not valid JSON of the documented shape: {e.Message}"],
            });
        }
        if (settings is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send the settings as a JSON object."] });
        var errors = settings.Problems();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        settings = settings with
        {
            Topics = [.. settings.Topics.Select(t => t with { Name = t.Name.Trim(), Keywords = t.Keywords ?? [], Examples = t.Examples ?? [] })],
        };

        var now = clock.GetUtcNow();
        var by = viewer.Name.Length > 0 ? viewer.Name : "api";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var record = await db.TriageSettings.FirstOrDefaultAsync(s => s.BrandId == id, ct);
        if (record is null)
        {
            record = new TriageSettingsRecord { BrandId = id, Version = TriageSettingsRecord.DefaultVersion };
            db.TriageSettings.Add(record);
        }
        record.Version++;
        record.Settings = settings.ToJson();
        record.UpdatedAt = now;
        record.UpdatedBy = by;
        db.Append("triage.settings_changed", $"brands/{id}", id, new TriageSettingsChangedData(id, record.Version, by), now);
        await db.SaveChangesAsync(ct);

        // Few open conversations: recompute now, in this transaction, so the inbox re-ranks as the response
        // arrives. Many: the background recompute takes them in batches (it finds them by version).
        var open = await Stale(db, id, record.Version).CountAsync(ct);
        var inline = open <= options.Value.InlineRecomputeLimit;
        if (inline)
        {
            var kinds = await db.Channels.AsNoTracking().Where(c => c.BrandId == id).ToDictionaryAsync(c => c.Id, c => c.Kind, ct);
            foreach (var conversation in await Stale(db, id, record.Version).ToListAsync(ct))
                await TriageStore.RecomputeAsync(db, conversation, settings, record.Version, kinds.GetValueOrDefault(conversation.ChannelId, ""),
                    $"triage settings v{record.Version}", now, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        if (!inline) recompute.Wake();
        return TypedResults.Ok(new TriageSettingsDto(id, record.Version, now, by, settings, new RecomputeStatus(inline, inline ? 0 : open)));
    }

    private static IQueryable<Conversation> Stale(ParleyDb db, Guid brandId, int version) =>
        db.Conversations.Where(c => c.BrandId == brandId && c.Status == ConversationStatus.Open && c.TriageVersion < version);
}
