using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform;
using Parley.Platform.People;

namespace Parley.Promises;

public sealed record ClockDto(string Clock, string Cycle, string State, TimeSpan? Target, DateTimeOffset? StartedAt,
    DateTimeOffset? DueAt, TimeSpan? TimeLeft, TimeSpan Elapsed, DateTimeOffset? BreachedAt, DateTimeOffset? WarnedAt)
{
    public static ClockDto From(ClockStatus s) => new(ClockNames.Of(s.Clock), s.Cycle, ClockNames.Of(s.State), s.Target,
        s.StartedAt, s.DueAt, s.TimeLeft, s.Elapsed, s.BreachedAt, s.WarnedAt);
}

public sealed record ClocksDto(Guid ConversationId, string? Policy, IReadOnlyList<ClockDto> Clocks);

/// <param name="Unanswered">Each customer message of the conversation that no brand message answered (replied to it, or came after
/// it), oldest first: the queue shows how many went unheard.</param>
public sealed record MissedPostDto(Guid ConversationId, string ChannelKind, string? Handle, string Preview,
    DateTimeOffset AwaitingReplySince, TimeSpan Waiting, string State, IReadOnlyList<UnansweredMessageDto> Unanswered);

/// <param name="ExternalId">The network's id of the post or message.</param>
public sealed record UnansweredMessageDto(Guid MessageId, string? ExternalId, DateTimeOffset CreatedAt, TimeSpan Waiting, string Text);

public sealed record LateReplyDto(Guid ConversationId, bool Late, TimeSpan Waiting, string? Opening, bool NeedsReason);

/// <summary>Clocks per conversation, the missed-post queue and the late-reply opening.</summary>
public static class ClockEndpoints
{
    /// <summary>Without a policy, a customer waiting longer than this is answered with an apology.</summary>
    public static readonly TimeSpan DefaultPromise = TimeSpan.FromHours(1);

    public static void MapClockEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/conversations/{id:guid}/clocks", Clocks).WithTags("Service levels")
            .WithSummary("The conversation's service-level clocks: state, due time and time left for each.");
        api.MapGet("/conversations/{id:guid}/late-reply", LateReply).WithTags("Service levels")
            .WithSummary("An opening that apologises for the wait, when the promise was broken; the agent edits it.");
        api.MapGet("/queues/missed", Missed).WithTags("Service levels")
            .WithSummary("Customer posts nobody has answered, however old, oldest first: late is better than never.");
    }

    private static async Task<Results<Ok<ClocksDto>, ProblemHttpResult>> Clocks(Guid id, ParleyDb db, Viewer viewer, TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var evaluation = await ConversationClocks.EvaluateAsync(db, conversation, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new ClocksDto(id, evaluation?.Policy.Name,
            evaluation is null ? [] : evaluation.Report.AllClocks.Select(ClockDto.From).ToList()));
    }

    private static async Task<Results<Ok<LateReplyDto>, ProblemHttpResult>> LateReply(Guid id, string? reason, ParleyDb db, Viewer viewer,
        TimeProvider clock, CancellationToken ct)
    {
        var conversation = await viewer.Visible(db.Conversations.AsNoTracking()).Include(c => c.Contact).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null) return Problems.NotFound("conversation", id);
        var now = clock.GetUtcNow();
        var waiting = conversation.AwaitingReplySince is { } since ? now - since : TimeSpan.Zero;
        var policy = await ConversationClocks.FindPolicyAsync(db, conversation, ct);
        var promise = (conversation.AcknowledgedAt is null ? policy?.TimeToAcknowledge : policy?.TimeToNextResponse ?? policy?.TimeToAcknowledge)
            ?? DefaultPromise;
        if (waiting <= promise) return TypedResults.Ok(new LateReplyDto(id, false, waiting, null, false));
        var draft = LateReplyOpening.Compose(BrandVoice.Default, waiting, FirstName(conversation.Contact?.DisplayName), reason);
        return TypedResults.Ok(new LateReplyDto(id, true, waiting, draft.Text, draft.NeedsReason));
    }

    private static async Task<Ok<List<MissedPostDto>>> Missed(ParleyDb db, Viewer viewer, TimeProvider clock, int? limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await viewer.Visible(db.Conversations.AsNoTracking())
            .Where(c => c.AwaitingReplySince != null && c.Status == ConversationStatus.Open && c.State != ConversationState.Snoozed)
            .OrderBy(c => c.AwaitingReplySince).Take(Math.Clamp(limit ?? 100, 1, 500))
            .Select(c => new
            {
                c.Id, c.Preview, c.AwaitingReplySince, c.State,
                Kind = db.Channels.Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).First(),
                Handle = db.ContactIdentities.Where(i => i.ContactId == c.ContactId).Select(i => i.Handle).FirstOrDefault(),
            }).ToListAsync(ct);
        var unanswered = await UnansweredAsync(db, rows.Select(r => r.Id).ToArray(), now, ct);
        return TypedResults.Ok(rows.Select(r => new MissedPostDto(r.Id, r.Kind, r.Handle, r.Preview, r.AwaitingReplySince!.Value,
            now - r.AwaitingReplySince.Value, ConversationStates.Name(r.State), unanswered.GetValueOrDefault(r.Id) ?? [])).ToList());
    }

    /// <summary>The unanswered customer messages of these conversations, by <see cref="MissedPosts.Find"/>.</summary>
    private static async Task<Dictionary<Guid, List<UnansweredMessageDto>>> UnansweredAsync(ParleyDb db, Guid[] ids, DateTimeOffset now, CancellationToken ct)
    {
        var messages = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ConversationId))
            .Select(m => new { m.Id, m.ConversationId, m.Direction, m.CreatedAt, m.ExternalId, m.InReplyToExternalId, m.Text }).ToListAsync(ct);
        // Parley's own replies have no network id until sent; their Parley id stands in.
        var facts = messages.Select(m => new PostFact(m.ExternalId ?? m.Id.ToString(), m.ConversationId.ToString(),
            m.Direction == MessageDirection.Inbound ? PostDirection.Inbound : PostDirection.Outbound, m.CreatedAt, m.InReplyToExternalId,
            AuthorIsBrand: m.Direction == MessageDirection.Outbound)).ToList();
        var byKey = messages.ToDictionary(m => (m.ConversationId.ToString(), m.ExternalId ?? m.Id.ToString()));
        return MissedPosts.Find(facts, now).Select(missed => byKey[(missed.Post.ConversationId, missed.Post.MessageId)])
            .GroupBy(m => m.ConversationId)
            .ToDictionary(g => g.Key, g => g.Select(m => new UnansweredMessageDto(m.Id, m.ExternalId, m.CreatedAt, now - m.CreatedAt,
                Conversation.Clip(m.Text))).ToList());
    }

    private static string? FirstName(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) || displayName.All(char.IsDigit) ? null : displayName.Split(' ')[0];
}
