using Microsoft.Extensions.DependencyInjection;
using Parley.Ingest;
using Parley.Tests.Infrastructure;
using static Parley.Tests.IngestTests.XActivity;

namespace Parley.Tests.IngestTests;

/// <summary>The inbound processor prepares a batch before its write turn (docs/adr/0023): an agent who changes a
/// conversation in between must not have that change overwritten, nor the customer's message applied to the
/// conversation as it was before.</summary>
public sealed class ConcurrentChangeTests
{
    private const string Customer = "456";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_resolve_between_prepare_and_write_is_kept_and_the_customers_new_message_reopens_the_conversation(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var channel = await parley.CreateXChannelAsync();
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("5001", Customer, "ana", "@zammadhq my refund never arrived", T0)));
        await parley.DrainInboundAsync();
        var id = (await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items")[0].GetProperty("id").GetString();

        await ResolveAfterNextPrepareAsync(parley, id!);
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("5002", Customer, "ana", "@zammadhq still nothing, third time I ask", T0.AddMinutes(10), "5001", Customer, "ana")));
        await parley.DrainInboundAsync();

        var conversation = await parley.GetJsonAsync($"/api/v1/conversations/{id}");
        Assert.Equal(["5001", "5002"], conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()));
        // Serialised as "the agent resolved, then the customer wrote": the resolve is in the log, and the complaint (a reply
        // in the thread, so it joins the resolved conversation) reopened it rather than landing in a resolved conversation.
        Assert.Equal("open", conversation.GetProperty("status").GetString());
        Assert.Equal(["conversation.created", "conversation.resolved", "conversation.reopened"], await ConversationEventsAsync(parley, id!));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_thank_you_prepared_before_a_resolve_leaves_the_conversation_resolved_and_answered(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var channel = await parley.CreateXChannelAsync();
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("6001", Customer, "ana", "@zammadhq my refund never arrived", T0)));
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("6002", Account, BrandHandle, "@ana it is on its way, sorry!", T0.AddMinutes(5), "6001", Customer, "ana")));
        await parley.DrainInboundAsync();
        var id = (await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items")[0].GetProperty("id").GetString();

        await ResolveAfterNextPrepareAsync(parley, id!);
        await parley.DeliverAsync(channel, TweetDelivery(Tweet("6003", Customer, "ana", "@zammadhq thanks!", T0.AddMinutes(8), "6002", Account, BrandHandle)));
        await parley.DrainInboundAsync();

        // Prepared against the open conversation, the thank-you would have been one more message waiting for an
        // answer; applied after the resolve, it is an acknowledgement that keeps the conversation resolved.
        var conversation = await parley.GetJsonAsync($"/api/v1/conversations/{id}");
        Assert.Equal(3, conversation.GetProperty("messages").GetArrayLength());
        Assert.Equal("resolved", conversation.GetProperty("status").GetString());
        var waiting = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Single(c => c.Id == Guid.Parse(id!)).AwaitingReplySince));
        Assert.Null(waiting);
        Assert.Equal(["conversation.created", "conversation.acknowledged", "conversation.resolved"], await ConversationEventsAsync(parley, id!));
    }

    /// <summary>Resolves the conversation through the API once, right after the processor has prepared its next batch.</summary>
    private static Task ResolveAfterNextPrepareAsync(TestParley parley, string id)
    {
        var processor = parley.App.Services.GetRequiredService<InboundProcessor>();
        var done = 0;
        processor.AfterPrepare = async ct =>
        {
            if (Interlocked.Exchange(ref done, 1) == 1) return;
            using var response = await parley.Client.PostAsync($"/api/v1/conversations/{id}/resolve", null, ct);
            response.EnsureSuccessStatusCode();
        };
        return Task.CompletedTask;
    }

    private static async Task<List<string?>> ConversationEventsAsync(TestParley parley, string id) =>
        [.. (await parley.AllEventsAsync())
            .Where(e => e.GetProperty("subject").GetString() == $"conversations/{id}" && e.GetProperty("type").GetString()!.StartsWith("conversation.", StringComparison.Ordinal))
            .Select(e => e.GetProperty("type").GetString())];
}
