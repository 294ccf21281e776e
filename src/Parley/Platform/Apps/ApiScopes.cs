namespace Parley.Platform.Apps;

/// <summary>What an app may be allowed to do. Every endpoint under /api/v1 needs exactly one of these
/// (declared where its group is mapped, in ParleyApp); <see cref="Admin"/> covers all of them and is
/// what an endpoint needs when it declares nothing.</summary>
public static class ApiScopes
{
    public const string ConversationsRead = "conversations:read";
    public const string ConversationsWrite = "conversations:write";
    public const string MessagesSend = "messages:send";
    public const string ContactsRead = "contacts:read";
    public const string ContactsWrite = "contacts:write";
    public const string EventsRead = "events:read";
    public const string KnowledgeWrite = "knowledge:write";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All =
        [ConversationsRead, ConversationsWrite, MessagesSend, ContactsRead, ContactsWrite, EventsRead, KnowledgeWrite, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope);
}
