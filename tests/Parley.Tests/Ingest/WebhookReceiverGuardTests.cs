using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Ingest;

namespace Parley.Tests.Ingest;

/// <summary>A webhook receiver that fails answers 503 with a problem body, so the network sends the delivery again:
/// whether the failure comes before its first await or after it (docs/adr/0050: the guard wraps the request delegate).</summary>
public sealed class WebhookReceiverGuardTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        _app = builder.Build();
        _app.MapPost("/fails-at-once", IResult () => throw new InvalidOperationException("the store is gone")).AsWebhookReceiver();
        _app.MapPost("/fails-later", async Task<IResult> () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("the store is gone");
        }).AsWebhookReceiver();
        _app.MapPost("/stores", async Task<IResult> () =>
        {
            await Task.Yield();
            return Results.Ok();
        }).AsWebhookReceiver();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("/fails-at-once")]
    [InlineData("/fails-later")]
    public async Task A_failing_receiver_answers_503_with_a_problem(string path)
    {
        using var response = await _client.PostAsync(path, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Not stored", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_receiver_that_succeeds_answers_as_it_says()
    {
        using var response = await _client.PostAsync("/stores", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
