using Parley.Conversations;
using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>Processing parses a waiting message's stored signals only when the conversation's assessment asks for them
/// (docs/adr/0037). The assessment must come out as it did when every waiting message's signals were parsed first.</summary>
public sealed class WaitingSignalsTests
{
    [Fact]
    public void The_conversation_is_assessed_as_with_every_waiting_message_parsed()
    {
        var conversation = Guid.CreateVersion7();
        string[] texts = ["where is my refund??", "hello?", "you charged my card 4111 1111 1111 1111 twice", "this is a joke, I am done with you",
            "WIN A FREE IPHONE click http://spam.example", "thanks"];
        var stored = new List<StoredPost>();
        for (var i = 0; i < 15; i++)
        {
            var at = Posts.Now.AddMinutes(-15 + i);
            var text = texts[i % texts.Length];
            var json = i switch
            {
                13 => null,             // never triaged
                14 => "{not json",      // unreadable
                _ => StoredSignals.Write(MessageSignals.From(Posts.Analyze(new TriageInput(text, PostVisibility.Public, "x", at)))),
            };
            stored.Insert(0, new StoredPost(Guid.CreateVersion7(), conversation, text, at, MessageVisibility.Public, json));
        }
        var post = new CustomerPost(Guid.CreateVersion7(), conversation, "hello?? anyone", Posts.Now, PostVisibility.Public);
        var history = new ConversationHistory(conversation, "x", [.. stored.Select(p => p.ToPost()), post], [], null, CustomerProfile.Unknown);
        var result = ConversationTriage.AnalyzeMessage(post, history, BrandTriageSettings.Default);
        var signals = MessageSignals.From(result);

        var parsedFirst = new Dictionary<Guid, MessageSignals> { [post.Id] = signals };
        foreach (var p in stored)
            if (StoredSignals.Read<MessageSignals>(p.Signals) is { } s) parsedFirst[p.Id] = s;
        var lazy = new WaitingSignals(post.Id, signals, stored.ToDictionary(p => p.Id));

        var expected = ConversationTriage.Assess(history, BrandTriageSettings.Default, parsedFirst, (post.Id, result));
        var actual = ConversationTriage.Assess(history, BrandTriageSettings.Default, lazy, (post.Id, result));
        Assert.Equal(StoredSignals.Write(expected.Signals), StoredSignals.Write(actual.Signals));
        Assert.Equal(expected.Priority.Value, actual.Priority.Value);
        Assert.Equal(expected.Priority.Reasons, actual.Priority.Reasons);
        Assert.Equal((expected.Removed, expected.BurstStartedAt, expected.ReadyAt, expected.BurstSize),
            (actual.Removed, actual.BurstStartedAt, actual.ReadyAt, actual.BurstSize));
        // As a dictionary it holds what the one parsed first held.
        Assert.Equal(parsedFirst.Keys.Order(), lazy.Keys.Order());
        Assert.False(lazy.ContainsKey(stored[0].Id));
    }
}
