using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.Events;
using Microsoft.AspNetCore.Mvc;

namespace Parley.Channels;

public sealed record CreateChannelRequest(string Kind, string? Name, Guid? BrandId, JsonObject? Settings);

/// <summary>A channel as the API shows it: public settings only, credentials never.</summary>
public sealed record ChannelDto(Guid Id, Guid BrandId, string Kind, string Name, JsonElement Settings,
    string WebhookPath, DateTimeOffset CreatedAt)
{
    public static ChannelDto From(Channel c) => new(c.Id, c.BrandId, c.Kind, c.Name,
        JsonDocument.Parse(c.Settings).RootElement.Clone(), $"/webhooks/{c.Kind}/{c.Id}", c.CreatedAt);
}

public static class ChannelEndpoints
{
    public static void MapChannelEndpoints(this IEndpointRouteBuilder api)
    {
        var channels = api.MapGroup("/channels").WithTags("Channels");
        channels.MapPost("/", CreateChannel).WithSummary("Connects a network account. Credentials are encrypted and never returned.");
        channels.MapGet("/", ListChannels);
        channels.MapGet("/{id:guid}", GetChannel);
    }

    private static async Task<Results<Created<ChannelDto>, ValidationProblem>> CreateChannel(
        CreateChannelRequest request, ParleyDb db, ChannelDirectory directory, TimeProvider clock, CancellationToken ct)
    {
        var kind = request.Kind?.ToLowerInvariant() ?? "";
        if (!ChannelSettingsParser.Kinds.Contains(kind))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            { ["kind"] = [$"'kind' must be one of: {string.Join(", ", ChannelSettingsParser.Kinds)}."] });

        var settings = request.Settings ?? [];
        var errors = ChannelSettingsParser.Validate(kind, settings);

        var brandId = request.BrandId;
        if (brandId is null)
        {
            var brands = await db.Brands.Select(b => b.Id).Take(2).ToListAsync(ct);
            if (brands.Count == 1) brandId = brands[0];
            else errors["brandId"] = ["'brandId' is required when there is not exactly one brand."];
        }
        else if (!await db.Brands.AnyAsync(b => b.Id == brandId, ct))
        {
            errors["brandId"] = [$"No brand has the id {brandId}."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var (shown, secrets) = ChannelSettingsParser.Split(kind, settings);
        var now = clock.GetUtcNow();
        var channel = new Channel
        {
            BrandId = brandId!.Value,
            Kind = kind,
            Name = string.IsNullOrWhiteSpace(request.Name) ? kind : request.Name.Trim(),
            Settings = shown,
            ProtectedSecrets = directory.Protect(secrets),
            CreatedAt = now,
        };
        db.Channels.Add(channel);
        db.Append("channel.created", $"channels/{channel.Id}", channel.BrandId, new ChannelCreatedData(channel.Id, kind, channel.Name), now);
        await db.SaveChangesAsync(ct);
        directory.Forget(channel.Id);
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", ChannelDto.From(channel));
    }

    private static async Task<Ok<List<ChannelDto>>> ListChannels(ParleyDb db, CancellationToken ct)
    {
        var channels = await db.Channels.AsNoTracking().OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(channels.Select(ChannelDto.From).ToList());
    }

    private static async Task<Results<Ok<ChannelDto>, ProblemHttpResult>> GetChannel(Guid id, ParleyDb db, CancellationToken ct)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        return channel is null ? Problems.NotFound("channel", id) : TypedResults.Ok(ChannelDto.From(channel));
    }
}
