using Parley.Conversations;
using Parley.Tests.Infrastructure;
using Parley.Tests.Web;

namespace Parley.Tests.Conversations;

/// <summary>Found replaying TWCS on PostgreSQL: a preview cut at 140 characters through an emoji held half a
/// surrogate pair, which PostgreSQL refuses to store, and the whole delivery failed.</summary>
public sealed class PreviewTests
{
    [Fact]
    public void A_preview_never_cuts_an_emoji_in_half()
    {
        var text = new string('a', Conversation.PreviewLength - 1) + "😡 and more";

        var preview = Conversation.Clip(text);

        Assert.Equal(new string('a', Conversation.PreviewLength - 1), preview);
        Assert.Equal(Conversation.PreviewLength, Conversation.Clip(new string('b', 200)).Length);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_post_with_an_emoji_across_the_preview_length_is_stored(string provider)
    {
        await using var parley = await TestParley.StartAsync(provider);
        var w = await Workspace.CreateAsync(parley);
        // "@acme " takes six characters; the emoji's two halves land on characters 140 and 141.
        var text = new string('x', Conversation.PreviewLength - 7) + "😡 why";

        var conversation = await w.CustomerTweetsAsync(text);

        var stored = await parley.WithDbAsync(db => Task.FromResult(db.Conversations.Single(c => c.Id == conversation).Preview));
        Assert.Equal(Conversation.PreviewLength - 1, stored.Length);
    }
}
