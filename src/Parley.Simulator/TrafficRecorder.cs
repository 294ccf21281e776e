using System.Text;

namespace Parley.Simulator;

/// <summary>Sits in front of every network endpoint: records each call (also failed and faulted ones)
/// and applies queued faults. Control calls under <c>/_sim</c> pass straight through.</summary>
internal sealed class TrafficRecorder(CallLog log, FaultQueue faults, TimeProvider clock, CancellationToken shutdown)
{
    public const string BodyKey = "parley.simulator.body";
    private static readonly TimeSpan DefaultHang = TimeSpan.FromSeconds(30);

    public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        if (ctx.Request.Path.StartsWithSegments("/_sim"))
        {
            await next(ctx);
            return;
        }

        var at = clock.GetUtcNow();
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        ctx.Items[BodyKey] = body;

        var path = ctx.Request.Path.Value ?? "";
        var fault = faults.Take(path);

        // The answer is buffered so it can be recorded, and held back for timeout faults.
        var network = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            switch (fault?.Kind)
            {
                case Fault.Status: await NetworkErrors.Fault(ctx, fault.StatusCode); break;
                case Fault.RateLimit: await NetworkErrors.RateLimited(ctx, fault.RetryAfterSeconds); break;
                default:
                    await next(ctx);
                    if (ctx.GetEndpoint() is null && ctx.Response.StatusCode == StatusCodes.Status404NotFound && buffer.Length == 0)
                        await NetworkErrors.NotFound(ctx);
                    break;
            }
        }
        finally
        {
            ctx.Response.Body = network;
        }

        var answer = buffer.Length == 0 ? null : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var query = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value![1..] : "";
        log.Add(new RecordedCall(at, ctx.Request.Method, path, query, body,
            ctx.Request.Headers.Authorization.Count > 0 ? ctx.Request.Headers.Authorization.ToString() : null,
            ctx.Response.StatusCode, answer));

        if (fault?.Kind == Fault.TimeoutAfterAccept)
        {
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, shutdown);
            try
            {
                await Task.Delay(fault.Delay ?? DefaultHang, clock, hang.Token);
            }
            catch (OperationCanceledException)
            {
                // The client gave up (the point of the fault) or the simulator is stopping.
                ctx.Abort();
                return;
            }
        }

        ctx.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(network, ctx.RequestAborted);
    }
}
