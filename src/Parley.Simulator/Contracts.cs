namespace Parley.Simulator;

/// <summary>One API call Parley made to the simulated networks, as it arrived and as it was answered.</summary>
/// <param name="At">When the request arrived.</param>
/// <param name="Query">The query string without its leading <c>?</c> (empty when there is none).</param>
/// <param name="Status">The status the simulator answered (for <c>timeout-after-accept</c>: the status of the late answer).</param>
public sealed record RecordedCall(
    DateTimeOffset At, string Method, string Path, string Query, string Body, string? Authorization, int Status, string? ResponseBody);

/// <summary>A failure to inject into the next matching call(s).</summary>
/// <param name="Kind">
/// <c>timeout-after-accept</c>: the call is handled (the post is created and the call recorded), then the
/// answer is held back for <paramref name="Delay"/> (default 30 s) so the client times out;
/// <c>status</c>: answer <paramref name="StatusCode"/> in the network's error format, creating nothing;
/// <c>rate-limit</c>: answer 429 with <c>Retry-After: RetryAfterSeconds</c>, creating nothing.
/// </param>
/// <param name="PathPrefix">Only calls whose path starts with this (null: any call).</param>
/// <param name="Times">How many matching calls the fault applies to.</param>
public sealed record Fault(
    string Kind, string? PathPrefix = null, int Times = 1, int StatusCode = 500, int RetryAfterSeconds = 1, TimeSpan? Delay = null)
{
    public const string TimeoutAfterAccept = "timeout-after-accept";
    public const string Status = "status";
    public const string RateLimit = "rate-limit";
}

/// <summary>A tweet that mentions an account, served by <c>GET /2/users/{id}/mentions</c>.</summary>
/// <param name="Id">Numeric tweet id as a string; the timeline is ordered by it.</param>
/// <param name="InReplyToId">The tweet this one answers, if any.</param>
/// <param name="ConversationId">Root of the conversation; derived from <paramref name="InReplyToId"/> when null.</param>
public sealed record SimTweet(
    string Id, string Text, string AuthorId, string AuthorUsername, string AuthorName, DateTimeOffset CreatedAt,
    string? InReplyToId = null, int AuthorFollowers = 0, bool AuthorVerified = false, string? ConversationId = null);
