namespace Parley.Bench;

/// <summary>The baseline: Kestrel on loopback with one POST endpoint that reads the whole body and
/// answers 200. Whatever Parley does beyond this is the cost of parsing, verifying and storing.</summary>
public static class BareKestrel
{
    public static async Task<(WebApplication App, Uri Url)> StartAsync()
    {
        // The same host defaults as Parley's ParleyApp.Build (CreateBuilder), without Parley.
        var builder = WebApplication.CreateBuilder([]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/webhooks/x/{channelId:guid}", async (HttpRequest request) =>
        {
            // Read to the end as Parley does (its WebhookBody.ReadAsync) but keep nothing.
            var reader = request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync();
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) break;
            }
            return Results.Ok();
        });
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()));
    }

    /// <summary>The same path shape as Parley's, so routing does comparable work.</summary>
    public static Uri WebhookUri(Uri server) => new(server, $"/webhooks/x/{Guid.Empty}");
}
