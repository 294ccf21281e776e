namespace Parley.Ingest;

public static partial class WebhookReceiver
{
    /// <summary>A network's POST runs straight after routing: the middleware behind it (static
    /// files, sign-in cookies and API keys, anti-forgery, status-code pages, the exception handler)
    /// has nothing to do for a webhook and cost it a fair share of its CPU time. What the exception
    /// handler did is done here: a failure is answered 503, which the network retries. The guard wraps the endpoint's
    /// request delegate itself rather than adding an endpoint filter: a filter costs every request an invocation
    /// context, an async step of its own and its result handled as an object (docs/adr/0050).</summary>
    public static RouteHandlerBuilder AsWebhookReceiver(this RouteHandlerBuilder endpoint)
    {
        endpoint.ShortCircuit();
        // A finally convention runs once the route handler's request delegate is built.
        endpoint.Finally(builder =>
        {
            var handler = builder.RequestDelegate ?? throw new InvalidOperationException($"{builder.DisplayName} has no request delegate.");
            builder.RequestDelegate = context =>
            {
                Task handled;
                try
                {
                    handled = handler(context);
                }
                catch (Exception e) when (Answerable(context))
                {
                    return UnavailableAsync(context, e);
                }
                return handled.IsCompletedSuccessfully ? handled : GuardAsync(handled, context);
            };
        });
        return endpoint;
    }

    private static async Task GuardAsync(Task handled, HttpContext context)
    {
        try
        {
            await handled;
        }
        catch (Exception e) when (Answerable(context))
        {
            await UnavailableAsync(context, e);
        }
    }

    /// <summary>Not when the client went away, nor once an answer has started (Kestrel then ends the connection).</summary>
    private static bool Answerable(HttpContext context) => !context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted;

    private static Task UnavailableAsync(HttpContext context, Exception e)
    {
        LogReceiverFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookReceiver)), e, context.Request.Path);
        context.Response.Clear();
        return WebhookIngest.Unavailable().ExecuteAsync(context);
    }

    [LoggerMessage(LogLevel.Error, "The webhook receiver at {Path} failed; answered 503 so the network sends it again.")]
    private static partial void LogReceiverFailed(ILogger logger, Exception e, string path);
}
