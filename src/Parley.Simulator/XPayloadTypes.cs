namespace Parley.Simulator;

/// <summary>An X user as it appears in Account Activity payloads. <paramref name="Id"/> is a decimal string.</summary>
public sealed record SimXUser(string Id, string ScreenName, string Name, int FollowersCount = 0, bool Verified = false);

/// <summary>A tweet to deliver as a <c>tweet_create_events</c> entry.</summary>
/// <param name="InReplyToStatusId">The tweet it answers (with <paramref name="InReplyToUser"/>, its author).</param>
/// <param name="MentionedUsers">Users that <c>@screen_name</c> mentions in the text resolve to; mentions of
/// <paramref name="User"/> and <paramref name="InReplyToUser"/> resolve without being listed. Unresolved mentions
/// are left out of <c>entities.user_mentions</c>, as X leaves out handles that do not exist.</param>
public sealed record SimTweetEvent(
    string Id, string Text, SimXUser User, DateTimeOffset CreatedAt,
    string? InReplyToStatusId = null, SimXUser? InReplyToUser = null, IReadOnlyList<SimXUser>? MentionedUsers = null);

/// <summary>A direct message to deliver as a <c>direct_message_events</c> entry. When the sender is the
/// subscribed account itself, the payload carries <c>source_app_id</c> and <c>apps</c>, as X sends for sent DMs.</summary>
public sealed record SimDmEvent(string Id, string Text, SimXUser Sender, SimXUser Recipient, DateTimeOffset CreatedAt);
