using System.Text.Encodings.Web;
using System.Text.Json;

namespace Parley.Simulator;

internal sealed record XAccountRegistration(string AccessToken, string AccountId);

internal sealed record MetaPageRegistration(string AccessToken, string PageId);

internal sealed record MentionRequest(string AccountId, SimTweet Tweet);

/// <summary>Lets other processes drive the simulator over HTTP (camelCase JSON); everything here is
/// also available as methods on <see cref="NetworkSimulator"/>. These calls are not recorded.</summary>
internal sealed class ControlApi(NetworkSimulator simulator)
{
    // Read by people with curl as much as by code: keep quotes and non-ASCII text unescaped.
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/_sim/health", ctx => ctx.Response.WriteAsJsonAsync(new { status = "ok" }, Json, ctx.RequestAborted));
        app.MapGet("/_sim/calls", ctx => ctx.Response.WriteAsJsonAsync(simulator.Calls, Json, ctx.RequestAborted));
        app.MapDelete("/_sim/calls", ctx => NoContent(ctx, simulator.ClearCalls));
        app.MapGet("/_sim/faults", ctx => ctx.Response.WriteAsJsonAsync(simulator.PendingFaults, Json, ctx.RequestAborted));
        app.MapPost("/_sim/faults", ctx => Accept<Fault>(ctx, simulator.AddFault));
        app.MapDelete("/_sim/faults", ctx => NoContent(ctx, simulator.ClearFaults));
        app.MapPost("/_sim/x/accounts", ctx => Accept<XAccountRegistration>(ctx, r => simulator.RegisterXAccount(r.AccessToken, r.AccountId)));
        app.MapPost("/_sim/x/mentions", ctx => Accept<MentionRequest>(ctx, r => simulator.QueueMention(r.AccountId, r.Tweet)));
        app.MapPost("/_sim/meta/pages", ctx => Accept<MetaPageRegistration>(ctx, r => simulator.RegisterMetaPage(r.AccessToken, r.PageId)));
        app.MapPost("/_sim/reset", ctx => NoContent(ctx, simulator.Reset));
    }

    private static Task NoContent(HttpContext ctx, Action action)
    {
        action();
        ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static async Task Accept<T>(HttpContext ctx, Action<T> apply)
    {
        T? request;
        try
        {
            request = await ctx.Request.ReadFromJsonAsync<T>(Json, ctx.RequestAborted);
            if (request is null) throw new JsonException("The body is empty.");
            apply(request);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsJsonAsync(new { error = e.Message }, Json, ctx.RequestAborted);
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        await ctx.Response.WriteAsJsonAsync(request, Json, ctx.RequestAborted);
    }
}
