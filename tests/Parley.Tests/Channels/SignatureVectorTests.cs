using System.Text;
using Parley.Channels.Meta;
using Parley.Channels.X;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Channels;

/// <summary>The published signature vectors in Fixtures/signature-vectors/vectors.json.</summary>
public sealed class SignatureVectorTests
{
    [Fact]
    public void Every_X_CRC_vector_gives_the_published_response_token()
    {
        var vectors = Fixtures.Json("signature-vectors/vectors.json").GetProperty("x_crc").EnumerateArray().ToList();
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            Assert.Equal(v.GetProperty("expected_response_token").GetString(),
                XSignature.CrcResponseToken(v.GetProperty("consumer_secret").GetString()!, v.GetProperty("crc_token").GetString()!));
        }
    }

    [Fact]
    public void Every_captured_X_webhook_signature_verifies_and_fails_for_any_changed_byte()
    {
        var webhooks = Fixtures.ZammadXWebhooks().ToList();
        Assert.Equal(5, webhooks.Count);
        foreach (var (name, body, signature) in webhooks)
        {
            Assert.True(XSignature.Verify("DDD", body, signature), name);
            Assert.False(XSignature.Verify("DDE", body, signature), name + " with another secret");
            for (var i = 0; i < body.Length; i += Math.Max(1, body.Length / 20))
            {
                var altered = (byte[])body.Clone();
                altered[i] ^= 0x20;
                Assert.False(XSignature.Verify("DDD", altered, signature), $"{name} altered at byte {i}");
            }
        }
    }

    [Fact]
    public void The_Meta_X_Hub_Signature_256_vector_verifies_and_an_altered_body_does_not()
    {
        var vector = Fixtures.Json("signature-vectors/vectors.json").GetProperty("meta_x_hub_signature").EnumerateArray()
            .Single(v => v.GetProperty("header").GetString() == "X-Hub-Signature-256");
        var body = Fixtures.Bytes(Path.Combine("signature-vectors", vector.GetProperty("raw_body_file").GetString()!));
        var secret = vector.GetProperty("app_secret").GetString()!;
        var expected = vector.GetProperty("expected").GetString()!;

        Assert.Equal(expected, MetaSignature.Sign(secret, body));
        Assert.True(MetaSignature.Verify(secret, body, expected));
        Assert.True(MetaSignature.Verify(secret, body, expected.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)));
        Assert.False(MetaSignature.Verify(secret, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("Hi", "Ho", StringComparison.Ordinal)), expected));
        Assert.False(MetaSignature.Verify(secret, body, "sha1=74432bfe572675092cc81b5ac903ff3f971b04e5"));
    }

    [Theory]
    [InlineData("hello", 5)]
    [InlineData("語", 2)]
    [InlineData("👍🏽", 2)]
    [InlineData("see https://example.com/a/very/long/path/that/is/longer/than/twenty/three", 27)]
    [InlineData("café", 4)]
    public void X_counts_text_as_twitter_text_does(string text, int weight) => Assert.Equal(weight, XTextLength.Weigh(text));
}
