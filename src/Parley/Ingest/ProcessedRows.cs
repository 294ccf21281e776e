using Parley.Conversations;
using Parley.Platform.Events;

namespace Parley.Ingest;

/// <summary>The rows a batch of deliveries creates, in the order it created them, kept out of EF Core's change
/// tracker: <see cref="BatchWriter"/> inserts them with prepared commands in the write turn (docs/adr/0027). The
/// rows it changes (conversations and identities it read) stay tracked, and their changes are written from there.</summary>
public sealed class ProcessedRows
{
    public List<Contact> Contacts { get; } = [];
    public List<ContactIdentity> Identities { get; } = [];
    public List<Conversation> Conversations { get; } = [];
    public List<Message> Messages { get; } = [];
    /// <summary>In the order they happened: the log's sequence numbers follow this order.</summary>
    public List<Event> Events { get; } = [];

    /// <summary>Appends an event to the batch's part of the log (as <see cref="EventLog.Append"/> does to a context).</summary>
    public void Append<TData>(string type, string subject, Guid? brandId, TData data, DateTimeOffset at) where TData : notnull =>
        Events.Add(EventLog.Create(type, subject, brandId, data, at));
}
