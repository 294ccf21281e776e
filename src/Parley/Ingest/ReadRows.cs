using Parley.Conversations;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>The conversations and identities a batch read, each with its values as read. They are read without EF
/// Core's change tracking (whose snapshots and change detection cost as much as the write they served): the batch
/// writer compares a row with its values as read to find the columns the batch changed, and the write turn compares
/// the values as read with the row as it is now to find whether someone else changed it (docs/adr/0027).</summary>
internal sealed class ReadRows(ParleyDb db)
{
    private readonly Dictionary<object, object?[]> _originals = new(ReferenceEqualityComparer.Instance);

    public List<Conversation> Conversations { get; } = [];
    public List<ContactIdentity> Identities { get; } = [];

    public void Add(Conversation conversation)
    {
        Conversations.Add(conversation);
        _originals[conversation] = RowShape.Of<Conversation>(db).Snapshot(conversation);
    }

    public void Add(ContactIdentity identity)
    {
        Identities.Add(identity);
        _originals[identity] = RowShape.Of<ContactIdentity>(db).Snapshot(identity);
    }

    /// <summary>A row's values as read (<see cref="RowShape.Snapshot"/>).</summary>
    public object?[] Original(object row) => _originals[row];
}
