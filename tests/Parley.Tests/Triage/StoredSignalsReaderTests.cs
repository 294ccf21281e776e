using System.Text.Json;
using Parley.Triage;

namespace Parley.Tests.Triage;

/// <summary>A message's stored signals are read by hand (docs/adr/0037). Whatever the text, they must read exactly as the
/// serializer reads them: the same values, the same empty lists for what was left out, and no signals where the
/// serializer finds none, or a customer's next message would be triaged against different signals.</summary>
public sealed class StoredSignalsReaderTests
{
    private static readonly JsonSerializerOptions SerializerRead = new(JsonSerializerDefaults.Web);
    /// <summary>Every property, defaults and nulls included: two reads are the same when their dumps are.</summary>
    private static readonly JsonSerializerOptions Dump = new() { IncludeFields = false };

    private static readonly string[] Texts =
    [
        "@bench my flight was cancelled and I'm stranded in Denver, nobody answers!!",
        "@bench where is my parcel? ordered 2 weeks ago, order #A12345",
        "@bench thanks, that fixed it 👍",
        "@bench you charged my card 4111 1111 1111 1111 twice, I want a refund NOW",
        "my IBAN is DE89 3704 0044 0532 0130 00, mail me at ana@example.com or call +44 20 7946 0958",
        "I will find you and hurt you, you idiots",
        "WIN A FREE IPHONE!!! click http://spam.example now",
        "ok",
        "",
        "\"quoted\" \\ backslash <tag> & ünïcode \u2028 line",
        "is the lounge at gate 4 open before 6am?",
    ];

    public static TheoryData<string> Stored()
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Texts)
            foreach (var visibility in new[] { PostVisibility.Public, PostVisibility.Private })
                texts.Add(StoredSignals.Write(MessageSignals.From(PostTriage.Analyze(new TriageInput(text, visibility, "x", Posts.Now), TriageRules.Default))));
        var data = new TheoryData<string>();
        foreach (var json in texts) data.Add(json);
        return data;
    }

    [Theory]
    [MemberData(nameof(Stored))]
    public void What_the_writer_writes_is_read_by_hand_to_what_the_serializer_reads(string json)
    {
        Assert.True(StoredSignalsReader.TryRead(json, out var byHand));
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<MessageSignals>(json, SerializerRead), Dump), JsonSerializer.Serialize(byHand, Dump));
        Assert.Equal(json, StoredSignals.Write(byHand!));
    }

    [Theory]
    // Another writer's names, a number as a string, a null, a property the writer never writes, a list of another
    // shape: not the writer's form, so the serializer reads them, whatever it makes of them.
    [InlineData("""{"Sentiment":{"Label":"negative","Score":-0.5,"Confidence":0.7},"Topics":["billing"]}""")]
    [InlineData("""{"sentiment":{"label":"negative","score":"-0.5","confidence":0.7}}""")]
    [InlineData("""{"sentiment":{"label":null,"score":-0.5,"confidence":0.7},"topics":null}""")]
    [InlineData("""{"sentiment":{"label":"neutral","score":0,"confidence":0.5},"priority":3}""")]
    [InlineData("""{"sentiment":{"label":"neutral","score":0,"confidence":0.5},"sensitive":[{"kind":"iban","start":1.5,"length":3}]}""")]
    [InlineData("""{"sentiment":{"label":"neutral","score":0,"confidence":0.5},"moderation":{"reasons":["spam"],"remove":1}}""")]
    // No sentiment (required), an empty object, trailing text, not JSON at all: no signals, as the serializer says.
    [InlineData("""{"topics":["billing"]}""")]
    [InlineData("{}")]
    [InlineData("""{"sentiment":{"label":"neutral","score":0,"confidence":0.5}} x""")]
    [InlineData("{not json")]
    [InlineData("[]")]
    public void Any_other_text_reads_as_the_serializer_reads_it(string json)
    {
        MessageSignals? serializer;
        try { serializer = JsonSerializer.Deserialize<MessageSignals>(json, SerializerRead); }
        catch (JsonException) { serializer = null; }
        Assert.Equal(JsonSerializer.Serialize(serializer, Dump), JsonSerializer.Serialize(StoredSignals.Read<MessageSignals>(json), Dump));
    }

    [Fact]
    public void Left_out_lists_come_back_empty_and_moderation_clean()
    {
        Assert.True(StoredSignalsReader.TryRead("""{"sentiment":{"label":"neutral","score":0,"confidence":0.5}}""", out var read));
        Assert.Empty(read!.Intents);
        Assert.Empty(read.Topics);
        Assert.Empty(read.Sensitive);
        Assert.True(read.Moderation.IsClean);
        Assert.Empty(read.Moderation.Reasons);
    }
}
