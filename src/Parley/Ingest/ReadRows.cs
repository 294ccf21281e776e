using Parley.Conversations;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>The conversations and identities a batch read, each with its values as read. They are read without EF
/// Core's change tracking (whose snapshots and change detection cost as much as the write they served): the batch
/// writer compares a row with its values as read to find the columns the batch changed, and the write turn compares
/// the values as read with the row as it is now to find whether someone else changed it (docs/adr/0027).</summary>
internal sealed class ReadRows(ParleyDb db)
{
    // By key rather than by reference: hashing an object by reference the first time showed up in a profile (docs/adr/0031).
    private readonly Dictionary<Guid, object?[]> _conversations = [];
    private readonly Dictionary<Guid, object?[]> _identities = [];

    public List<Conversation> Conversations { get; } = [];
    public List<ContactIdentity> Identities { get; } = [];

    public void Add(Conversation conversation)
    {
        Conversations.Add(conversation);
        _conversations[conversation.Id] = RowShape.Of<Conversation>(db).Snapshot(conversation);
    }

    public void Add(ContactIdentity identity)
    {
        Identities.Add(identity);
        _identities[identity.Id] = RowShape.Of<ContactIdentity>(db).Snapshot(identity);
    }

    /// <summary>A row's values as read (<see cref="RowShape.Snapshot"/>).</summary>
    public object?[] Original(object row) => row switch
    {
        Conversation c => _conversations[c.Id],
        ContactIdentity i => _identities[i.Id],
        _ => throw new ArgumentException($"A {row.GetType().Name} is not a row a batch reads.", nameof(row)),
    };
}
