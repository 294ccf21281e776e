using Parley.Conversations;
using Parley.Platform.Apps;

namespace Parley.Platform.Events;

// The data of the events apps cause when they act in conversations (docs/adr/0017), catalogued in EventCatalogue.
// Field names are those the app-facing API already uses (author, by, byKind, byAppId); actor is the common form.

/// <summary>Who approved an app's proposed reply before it was queued.</summary>
public sealed record ReplyApproval(string ApprovedBy, Guid? ApprovedByUserId, bool Edited);

public sealed record ReplyProposedData(Guid ConversationId, Guid MessageId, Guid AppId, string Author, string AuthorKind,
    string Visibility, string Text, Guid? InReplyToCommand, EventActor Actor);

public sealed record ReplyApprovedData(Guid ConversationId, Guid MessageId, Guid AppId, string Author, string ApprovedBy,
    Guid? ApprovedByUserId, bool Edited, string Text, EventActor Actor);

public sealed record ReplyRejectedData(Guid ConversationId, Guid MessageId, Guid AppId, string Author, string RejectedBy,
    Guid? RejectedByUserId, string? Reason, EventActor Actor);

public sealed record ConversationTagsData(Guid ConversationId, IReadOnlyList<string> Tags, string By, string ByKind,
    Guid? ByUserId, Guid? ByAppId, EventActor Actor);

public sealed record BrandAppRepliesChangedData(Guid BrandId, bool RequireApproval, IReadOnlyList<AppReplyOverride> Apps, string By);

public sealed record AppCommandAddedData(Guid AppId, string Command, string? Description);

public sealed record AppCommandRemovedData(Guid AppId, string Command);

public sealed record CommandInvokedData(Guid InvocationId, Guid ConversationId, string Command, string Arguments, Guid AppId,
    string App, string InvokedBy, Guid? InvokedByUserId, string InvokedByKind, Guid? NoteId, EventActor Actor);

public sealed record KnowledgeArticleData(Guid ArticleId, Guid BrandId, string Title, IReadOnlyList<string> Tags, string By,
    string ByKind, Guid? ByAppId);

public sealed record KnowledgeDeletedData(Guid ArticleId, string Title, string By, string ByKind, Guid? ByAppId);
