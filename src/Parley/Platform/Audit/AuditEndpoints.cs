using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Platform.Audit;

public sealed record AuditActorDto(string Kind, Guid? Id, string Name, string? Email, Guid? KeyId);

/// <param name="Targets">The ids the action was about, by route parameter name.</param>
/// <param name="Status">The HTTP status it ended with: 2xx done, 4xx refused, 5xx failed.</param>
/// <param name="BrandId">The brand of what the action was about; null when installation-wide (people, apps, sign-in).</param>
public sealed record AuditEntryDto(long Id, DateTimeOffset At, AuditActorDto Actor, string Action, string Method, string Route,
    IReadOnlyDictionary<string, string> Targets, int Status, JsonElement? Detail, string? RemoteIp, string? UserAgent, Guid? BrandId)
{
    public static AuditEntryDto From(AuditEntry e) => new(e.Id, e.At, new AuditActorDto(e.ActorKind, e.ActorId, e.ActorName, e.ActorEmail, e.KeyId),
        e.Action, e.Method, e.Route, ParseTargets(e.Targets), e.Status,
        e.Detail is null ? null : JsonDocument.Parse(e.Detail).RootElement.Clone(), e.RemoteIp, e.UserAgent, e.BrandId);

    public static IReadOnlyDictionary<string, string> ParseTargets(string targets) =>
        targets.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
}

/// <param name="NextCursor">Pass as `cursor` for older entries; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, long? NextCursor);

/// <summary>Searching and exporting the audit trail (admins, auditors and admin keys: mapped in the admin group).
/// The trail divides by brand: whoever is bound to brands (an auditor in teams, an app limited to brands) sees the
/// entries of those brands only, never the installation-wide ones.</summary>
public static class AuditEndpoints
{
    public const int MaxLimit = 500;

    public static void MapAuditEndpoints(this IEndpointRouteBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit").WithMetadata(new People.DividedByBrand());
        audit.MapGet("/", SearchAsync)
            .WithSummary("Searches the audit trail, newest first: actor (id, name or e-mail), action (a prefix), target (an id), brand (an id), from/to (ISO 8601), q (free text); page with `cursor`.");
        audit.MapGet("/export", ExportAsync).WithMetadata(new Audited("audit.export", "format", "brand", "from", "to"))
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .WithSummary("Streams the audit trail between from and to (oldest first) as CSV or NDJSON (`format=csv|ndjson`). The export is itself audited.");
    }

    /// <summary>The filters both endpoints share, parsed with a message per bad field.</summary>
    private sealed record Filter(string? Actor, string? Action, string? Target, DateTimeOffset? From, DateTimeOffset? To, string? Q, Guid? Brand,
        Guid[]? VisibleBrands);

    private static Filter? Parse(Viewer viewer, string? actor, string? action, string? target, string? brand, string? from, string? to, string? q,
        Dictionary<string, string[]> errors)
    {
        Guid? brandId = null;
        if (!string.IsNullOrWhiteSpace(brand))
        {
            if (Guid.TryParse(brand, out var b)) brandId = b;
            else errors["brand"] = ["'brand' is a brand's id."];
        }
        var fromAt = When(from, "from", errors);
        var toAt = When(to, "to", errors);
        if (fromAt > toAt) errors["to"] = ["'to' is after 'from'."];
        foreach (var (name, value) in new[] { ("actor", actor), ("action", action), ("target", target), ("q", q) })
            if (value?.Length > 200) errors[name] = [$"'{name}' is at most 200 characters."];
        return errors.Count > 0 ? null : new Filter(Blank(actor), Blank(action), Blank(target), fromAt, toAt, Blank(q), brandId,
            viewer.SeesEverything ? null : [.. viewer.BrandIds]);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static DateTimeOffset? When(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        errors[name] = [$"'{name}' is a date and time in ISO 8601, e.g. 2026-12-04T09:00:00Z."];
        return null;
    }

#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL on both providers; the StringComparison overloads it cannot.
    private static IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> query, Filter f)
    {
        if (f.Actor is { } actor)
        {
            if (Guid.TryParse(actor, out var id)) query = query.Where(e => e.ActorId == id || e.KeyId == id);
            else
            {
                var lower = actor.ToLowerInvariant();
                query = query.Where(e => e.ActorName.ToLower().Contains(lower) || (e.ActorEmail != null && e.ActorEmail.ToLower().Contains(lower)));
            }
        }
        if (f.Action is { } action) query = query.Where(e => e.Action.StartsWith(action.TrimEnd('*')));
        if (f.Target is { } target) query = query.Where(e => e.Targets.Contains(target));
        if (f.Brand is { } brand) query = query.Where(e => e.BrandId == brand);
        if (f.VisibleBrands is { } visible) query = query.Where(e => e.BrandId != null && visible.Contains(e.BrandId.Value));
        if (f.From is { } from) query = query.Where(e => e.At >= from);
        if (f.To is { } to) query = query.Where(e => e.At < to);
        if (f.Q is { } q)
        {
            var lower = q.ToLowerInvariant();
            query = query.Where(e => e.Action.ToLower().Contains(lower) || e.Route.ToLower().Contains(lower) || e.ActorName.ToLower().Contains(lower)
                || (e.ActorEmail != null && e.ActorEmail.ToLower().Contains(lower)) || e.Targets.ToLower().Contains(lower)
                || (e.Detail != null && e.Detail.ToLower().Contains(lower)) || (e.RemoteIp != null && e.RemoteIp.Contains(lower)));
        }
        return query;
    }
#pragma warning restore CA1862

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> SearchAsync(ParleyDb db, Viewer viewer, string? actor, string? action,
        string? target, string? brand, string? from, string? to, string? q, long? cursor, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = Parse(viewer, actor, action, target, brand, from, to, q, errors);
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"'limit' is between 1 and {MaxLimit}."];
        if (cursor is < 1) errors["cursor"] = ["'cursor' is the nextCursor of a previous page."];
        if (filter is null || errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var take = limit ?? 50;
        var query = Apply(db.Set<AuditEntry>().AsNoTracking(), filter);
        if (cursor is { } before) query = query.Where(e => e.Id < before);
        var rows = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(rows.Count - 1);
        return TypedResults.Ok(new AuditPage(rows.Select(AuditEntryDto.From).ToList(), more ? rows[^1].Id : null));
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportAsync(HttpContext http, IServiceScopeFactory scopes, Viewer viewer,
        string? format, string? brand, string? from, string? to, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = Parse(viewer, null, null, null, brand, from, to, null, errors);
        var csv = format is null or "csv";
        if (format is not (null or "csv" or "ndjson")) errors["format"] = ["'format' is csv or ndjson."];
        if (filter is null || errors.Count > 0) return TypedResults.ValidationProblem(errors);

        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"parley-audit.{(csv ? "csv" : "ndjson")}\"";
        http.Response.Headers.CacheControl = "no-store";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        if (csv) await writer.WriteLineAsync(AuditCsv.Header.AsMemory(), ct);
        // Pages of a thousand on a context of their own: the export may be long, memory stays flat.
        long after = 0;
        while (true)
        {
            List<AuditEntry> page;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
                page = await Apply(db.Set<AuditEntry>().AsNoTracking(), filter).Where(e => e.Id > after).OrderBy(e => e.Id).Take(1000).ToListAsync(ct);
            }
            foreach (var e in page)
            {
                await writer.WriteAsync((csv ? AuditCsv.Row(e) : JsonSerializer.Serialize(AuditEntryDto.From(e), AuditCsv.Json)).AsMemory(), ct);
                await writer.WriteAsync("\n".AsMemory(), ct);
            }
            await writer.FlushAsync(ct);
            if (page.Count < 1000) break;
            after = page[^1].Id;
        }
        return TypedResults.Empty;
    }
}

/// <summary>The export's CSV (RFC 4180: every field quoted, quotes doubled) and NDJSON shapes.</summary>
public static class AuditCsv
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const string Header = "id,at,actorKind,actorId,actorName,actorEmail,keyId,action,method,route,targets,status,detail,remoteIp,userAgent,brandId";

    public static string Row(AuditEntry e) => string.Join(',', new[]
    {
        e.Id.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.ActorKind,
        e.ActorId?.ToString() ?? "", e.ActorName, e.ActorEmail ?? "", e.KeyId?.ToString() ?? "", e.Action, e.Method, e.Route, e.Targets,
        e.Status.ToString(CultureInfo.InvariantCulture), e.Detail ?? "", e.RemoteIp ?? "", e.UserAgent ?? "", e.BrandId?.ToString() ?? "",
    }.Select(Field));

    /// <summary>Quoted, and a leading =, +, - or @ defused so a spreadsheet does not run a name as a formula.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
