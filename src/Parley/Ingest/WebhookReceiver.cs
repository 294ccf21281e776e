namespace Parley.Ingest;

public static partial class WebhookReceiver
{
    /// <summary>A network's POST runs straight after routing: the middleware behind it (static
    /// files, sign-in cookies and API keys, anti-forgery, status-code pages, the exception handler)
    /// has nothing to do for a webhook and cost it a fair share of its CPU time. What the exception
    /// handler did is done here: a failure is answered 503, which the network retries.</summary>
    public static RouteHandlerBuilder AsWebhookReceiver(this RouteHandlerBuilder endpoint)
    {
        endpoint.ShortCircuit();
        return endpoint.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                LogReceiverFailed(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookReceiver)),
                    e, context.HttpContext.Request.Path);
                return WebhookIngest.Unavailable();
            }
        });
    }

    [LoggerMessage(LogLevel.Error, "The webhook receiver at {Path} failed; answered 503 so the network sends it again.")]
    private static partial void LogReceiverFailed(ILogger logger, Exception e, string path);
}
