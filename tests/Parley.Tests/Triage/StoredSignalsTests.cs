using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Triage;

/// <summary>Every inbound message gets its signals as it is stored, and its conversation one priority with reasons.</summary>
public sealed class StoredSignalsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_stranded_travellers_third_contact_today_carries_its_signals_and_reasons_through_the_API(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        var sam = Customers.Person("4801", "stranded_sam", followers: 48_000);
        var now = DateTimeOffset.UtcNow;
        await w.TweetAsync(sam, "is flight PA 212 to Denver on time?", now.AddHours(-5));
        await w.TweetAsync(sam, "hello? still no answer from you", now.AddHours(-2));
        var conversation = await w.TweetAsync(sam, "my flight was cancelled and I'm stranded at the airport, this is awful", now.AddMinutes(-1));

        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        var messages = detail.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(3, messages.Count);
        var last = messages[^1].GetProperty("signals");
        Assert.Equal("negative", last.GetProperty("sentiment").GetProperty("label").GetString());
        Assert.True(last.GetProperty("sentiment").GetProperty("score").GetDouble() < 0);
        Assert.Contains("stranded", Customers.Strings(last.GetProperty("urgency")));
        Assert.NotEmpty(last.GetProperty("intents").EnumerateArray());
        Assert.InRange(last.GetProperty("intents")[0].GetProperty("confidence").GetDouble(), 0.01, 1);
        Assert.Equal(JsonValueKind.Array, last.GetProperty("sensitive").ValueKind);
        Assert.False(last.GetProperty("moderation").GetProperty("spam").GetBoolean());
        // The first message asked a question: its own signals say so, not the conversation's.
        Assert.Equal("question", messages[0].GetProperty("signals").GetProperty("intents")[0].GetProperty("intent").GetString());

        var triage = detail.GetProperty("triage");
        var reasons = Customers.Reasons(triage);
        Assert.Equal("stranded traveller", reasons[0]);
        Assert.Contains(reasons, r => r is "negative" or "very negative");
        Assert.Contains("48k followers", reasons);
        Assert.Contains("third contact today", reasons);
        var priority = triage.GetProperty("priority").GetInt32();
        Assert.InRange(priority, 60, 100);
        Assert.Equal(priority, triage.GetProperty("rankedPriority").GetInt32());
        Assert.False(triage.GetProperty("writing").GetBoolean());
        var customer = triage.GetProperty("signals").GetProperty("customer");
        Assert.Equal(48_000, customer.GetProperty("followers").GetInt64());
        Assert.Equal(3, customer.GetProperty("contactsToday").GetInt32());
        Assert.Equal(3, triage.GetProperty("signals").GetProperty("messagesRead").GetInt32());

        // The same priority and reasons in the lists.
        var row = (await parley.GetJsonAsync("/api/v1/inbox")).GetProperty("items")[0];
        Assert.Equal(priority, row.GetProperty("priority").GetInt32());
        Assert.Equal(reasons, Customers.Strings(row.GetProperty("priorityReasons")));
        var summary = (await parley.GetJsonAsync("/api/v1/conversations?sort=priority")).GetProperty("items")[0];
        Assert.Equal(priority, summary.GetProperty("priority").GetInt32());

        // Stored compactly: one JSON text per message, defaults left out, read back whole.
        var stored = await parley.WithDbAsync(db => db.Messages.Where(m => m.ConversationId == conversation).Select(m => m.Signals).ToListAsync());
        Assert.All(stored, s => Assert.False(string.IsNullOrEmpty(s)));
        Assert.All(stored, s => Assert.DoesNotContain("false", s!, StringComparison.Ordinal));
        Assert.All(stored, s => Assert.DoesNotContain("[]", s!, StringComparison.Ordinal));
        var events = await parley.AllEventsAsync();
        // The burst was complete on arrival (the network's clock says a minute ago): announced with its priority.
        var completed = events.Last(e => e.GetProperty("type").GetString() == "triage.burst_completed").GetProperty("data");
        Assert.Equal(priority, completed.GetProperty("priority").GetInt32());
        Assert.Equal(reasons, Customers.Strings(completed.GetProperty("reasons")));
        var received = events.Last(e => e.GetProperty("type").GetString() == "message.received");
        Assert.Contains("stranded", Customers.Strings(received.GetProperty("data").GetProperty("signals").GetProperty("urgency")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Card_numbers_and_phone_numbers_are_masked_in_previews_messages_and_events_and_revealed_only_on_request(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        const string card = "4111 1111 1111 1111";
        const string phone = "+44 7911 123456";
        var conversation = await w.TweetAsync(Customers.Person("77", "payer"),
            $"you charged my card {card} twice, call me on {phone}", DateTimeOffset.UtcNow.AddMinutes(-3));

        static void Masked(string? text)
        {
            Assert.NotNull(text);
            Assert.DoesNotContain(card, text, StringComparison.Ordinal);
            Assert.DoesNotContain("7911 123456", text, StringComparison.Ordinal);
            Assert.Contains("1111", text, StringComparison.Ordinal); // the last four digits stay, so the customer can tell which card
        }

        Masked((await parley.GetJsonAsync("/api/v1/inbox")).GetProperty("items")[0].GetProperty("preview").GetString());
        Masked((await parley.GetJsonAsync("/api/v1/conversations")).GetProperty("items")[0].GetProperty("preview").GetString());
        var contact = (await parley.GetJsonAsync($"/api/v1/conversations/{conversation}")).GetProperty("contact").GetProperty("id").GetGuid();
        Masked((await parley.GetJsonAsync($"/api/v1/contacts/{contact}")).GetProperty("conversations")[0].GetProperty("preview").GetString());
        Masked(await parley.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversation).Select(c => c.Preview).SingleAsync()));

        var detail = await parley.GetJsonAsync($"/api/v1/conversations/{conversation}");
        var message = detail.GetProperty("messages")[0];
        Masked(message.GetProperty("text").GetString());
        Assert.True(message.GetProperty("masked").GetBoolean());
        var kinds = message.GetProperty("signals").GetProperty("sensitive").EnumerateArray().Select(s => s.GetProperty("kind").GetString()).ToList();
        Assert.Contains("cardNumber", kinds);
        Assert.Contains("phone", kinds);
        var triage = detail.GetProperty("triage");
        Assert.True(triage.GetProperty("signals").GetProperty("suggestPrivateChannel").GetBoolean());
        Assert.Contains("card number", triage.GetProperty("privateChannelSuggestion").GetString(), StringComparison.Ordinal);
        Assert.Contains("sensitive data in public", Customers.Reasons(triage));

        // No event an app reads holds the number.
        var events = await parley.AllEventsAsync();
        Assert.All(events, e => Assert.DoesNotContain(card, e.GetRawText(), StringComparison.Ordinal));
        var received = events.Single(e => e.GetProperty("type").GetString() == "message.received").GetProperty("data");
        Masked(received.GetProperty("text").GetString());
        Assert.True(received.GetProperty("masked").GetBoolean());

        // The original, on purpose, and the log says who asked.
        var id = message.GetProperty("id").GetGuid();
        var reveal = await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/messages/{id}/reveal", null);
        reveal.EnsureSuccessStatusCode();
        var revealed = JsonDocument.Parse(await reveal.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(card, revealed.GetProperty("text").GetString(), StringComparison.Ordinal);
        var audit = (await parley.AllEventsAsync()).Single(e => e.GetProperty("type").GetString() == "message.revealed").GetProperty("data");
        Assert.Equal(id, audit.GetProperty("messageId").GetGuid());
        Assert.False(string.IsNullOrEmpty(audit.GetProperty("by").GetString()));
        Assert.Equal(System.Net.HttpStatusCode.NotFound,
            (await parley.Client.PostAsync($"/api/v1/conversations/{conversation}/messages/{Guid.NewGuid()}/reveal", null)).StatusCode);
    }
}
