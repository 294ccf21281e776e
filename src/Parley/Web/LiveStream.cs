using System.Buffers;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Parley.Web;

/// <summary>Writes a workspace page's Server-Sent Events: each batch (everything that was waiting for the page
/// when it woke up) goes out as one write and one flush. At 100 posts a second every page gets several hundred
/// events a second; writing and flushing them one by one, for fifty pages, was what made the live feed fall
/// behind until pages overflowed (docs/adr/0020). The data of each message is already JSON (serialized once
/// for all pages by <see cref="LiveFeed"/>).</summary>
public sealed class LiveStream(IAsyncEnumerable<IReadOnlyList<LiveMessage>> batches) : IResult, IEndpointMetadataProvider
{
    private static readonly byte[] EventField = "event: "u8.ToArray(), IdField = "id: "u8.ToArray(), DataField = "data: "u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.ContentEncoding = "identity";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = response.BodyWriter;
        // No flush before the first batch: the headers go out with the "ready" message, after the page counts as
        // connected (routing's presence), so a client that has the response knows it is present.
        try
        {
            await foreach (var batch in batches.WithCancellation(http.RequestAborted))
            {
                foreach (var message in batch) Write(writer, message);
                var flushed = await writer.FlushAsync(http.RequestAborted);
                if (flushed.IsCompleted || flushed.IsCanceled) break;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
    }

    /// <summary>One event in the text/event-stream format. Event types and ids are ours (no line breaks); the
    /// JSON writer escapes line breaks inside strings, so the data is one line.</summary>
    internal static void Write(IBufferWriter<byte> writer, LiveMessage message)
    {
        writer.Write(EventField);
        Utf8(writer, message.Type);
        writer.Write("\n"u8);
        if (message.Id is { } id)
        {
            writer.Write(IdField);
            Utf8(writer, id);
            writer.Write("\n"u8);
        }
        writer.Write(DataField);
        Utf8(writer, message.Json);
        writer.Write("\n\n"u8);
    }

    private static void Utf8(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
}
