using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Triage;

namespace Parley.Routing;

/// <summary>What routing rules look at, read from a conversation's first posts: the channel, the text,
/// a language guess and the triage priority of what the customer wrote.</summary>
public static class RoutingFactsReader
{
    public static async Task<RoutingFacts> ReadAsync(ParleyDb db, Conversation conversation, string channelKind, DateTimeOffset now, CancellationToken ct)
    {
        var first = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Direction == MessageDirection.Inbound)
            .OrderBy(m => m.CreatedAt).Take(3).Select(m => new { m.Text, m.Visibility }).ToListAsync(ct);
        var text = string.Join("\n", first.Select(m => m.Text));
        var customer = await db.ContactIdentities.AsNoTracking().Where(i => i.ContactId == conversation.ContactId)
            .Select(i => new { i.Followers, i.Verified }).FirstOrDefaultAsync(ct);
        var visibility = first.Count > 0 && first[0].Visibility == MessageVisibility.Private ? PostVisibility.Private : PostVisibility.Public;
        return FromPost(conversation.BrandId, channelKind, text, visibility, customer?.Followers ?? 0, customer?.Verified ?? false, now);
    }

    /// <summary>The facts of a post given directly (also for trying rules out before saving them).</summary>
    public static RoutingFacts FromPost(Guid brandId, string channelKind, string text, PostVisibility visibility, long followers, bool verified,
        DateTimeOffset now)
    {
        var triage = PostTriage.Analyze(new TriageInput(text, visibility, channelKind, now)
        {
            AuthorFollowers = followers,
            AuthorVerified = verified,
        }, TriageRules.Default);
        var priority = Priority.Score(triage, new CustomerContext { Followers = followers, Verified = verified }, PriorityWeights.Default);
        return new RoutingFacts(brandId, channelKind, LanguageGuess.Of(text), text, priority.Value);
    }
}
