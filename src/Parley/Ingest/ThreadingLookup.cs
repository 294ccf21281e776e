using Microsoft.EntityFrameworkCore;
using Parley.Channels;
using Parley.Conversations;
using Parley.Data;

namespace Parley.Ingest;

/// <summary>What threading needs to know about the messages, contacts and conversations a batch of
/// deliveries touches, read with a handful of set queries before the batch rather than several
/// queries per message, then kept up to date in memory as the batch adds to it, so that a later
/// item in the batch finds what an earlier one created. Conversations and identities are read without EF Core's
/// change tracking; the lookup keeps each one's values as read (<see cref="Original"/>), from which the batch
/// writer finds what changed and the write turn checks that nobody else changed them (docs/adr/0027).</summary>
public sealed class ThreadingLookup
{
    private readonly Dictionary<(Guid Channel, string ExternalId), Guid> _messages = [];
    private readonly Dictionary<(Guid Channel, string InReplyTo), Guid> _replies = [];
    private readonly Dictionary<(Guid Brand, string Network, string ExternalId), ContactIdentity> _identities = [];
    private readonly Dictionary<Guid, Conversation> _conversations = [];
    private readonly Dictionary<(Guid Channel, Guid Contact), List<Conversation>> _byContact = [];

    /// <summary>Reads what <paramref name="work"/> may need: messages with the items' ids or the ids they
    /// answer, replies to the items, the customers' identities, and the conversations of all of them.</summary>
    public static async Task<ThreadingLookup> LoadAsync(ParleyDb db, IEnumerable<(ChannelRuntime Channel, IReadOnlyList<InboundItem> Items)> work,
        CancellationToken ct)
    {
        var lookup = new ThreadingLookup();
        var conversationIds = new HashSet<Guid>();
        var contactsByChannel = new Dictionary<Guid, HashSet<Guid>>();

        foreach (var byChannel in work.GroupBy(w => w.Channel.Id))
        {
            var channel = byChannel.First().Channel;
            var items = byChannel.SelectMany(w => w.Items).ToList();
            if (items.Count == 0) continue;
            var channelId = channel.Id;

            // One query for both: the messages these items are or answer, and the replies to them.
            var ids = items.Select(i => i.ExternalId).ToHashSet(StringComparer.Ordinal);
            var known = ids.Concat(items.Where(i => i.InReplyToExternalId is not null).Select(i => i.InReplyToExternalId!)).Distinct().ToList();
            var itemIds = ids.ToList();
            var related = await RelatedAsync(db, channelId, known, itemIds, ct);
            var knownSet = known.ToHashSet(StringComparer.Ordinal);
            foreach (var m in related)
            {
                if (m.ExternalId is not null && knownSet.Contains(m.ExternalId)) lookup._messages[(channelId, m.ExternalId)] = m.ConversationId;
                if (m.InReplyTo is not null && ids.Contains(m.InReplyTo))
                    lookup._replies.TryAdd((channelId, m.InReplyTo), m.ConversationId);
                conversationIds.Add(m.ConversationId);
            }

            var customers = items.Where(i => i.Customer is not null).Select(i => i.Customer!).ToList();
            foreach (var network in customers.GroupBy(c => c.Network))
            {
                var networkName = network.Key;
                var brandId = channel.BrandId;
                var externalIds = network.Select(c => c.ExternalId).Distinct().ToList();
                var identities = await IdentitiesAsync(db, brandId, networkName, externalIds, ct);
                foreach (var identity in identities)
                {
                    lookup._identities[(identity.BrandId, identity.Network, identity.ExternalId)] = identity;
                    if (!contactsByChannel.TryGetValue(channelId, out var contacts)) contactsByChannel[channelId] = contacts = [];
                    contacts.Add(identity.ContactId);
                }
            }
        }

        // The conversations of those messages, and the customers' open ones, in one query per channel.
        var loaded = new List<Conversation>();
        var byId = conversationIds.ToList();
        if (contactsByChannel.Count == 0 && byId.Count > 0)
            loaded.AddRange(await ConversationsAsync(db, byId, null, [], ct));
        foreach (var (channelId, contacts) in contactsByChannel)
            loaded.AddRange(await ConversationsAsync(db, byId, channelId, [.. contacts], ct));
        // A conversation found both ways is read twice: the first copy is the one used.
        foreach (var c in loaded) lookup.Add(c);
        lookup.Read = new ReadRows(db);
        foreach (var c in lookup._conversations.Values) lookup.Read.Add(c);
        foreach (var i in lookup._identities.Values) lookup.Read.Add(i);
        lookup.StoredContacts = [.. lookup.Read.Identities.Select(i => i.ContactId).Concat(lookup.Stored.Select(c => c.ContactId)).Distinct()];
        return lookup;
    }

    /// <summary>Messages of the channel that have one of the <paramref name="known"/> network ids, or answer one of
    /// <paramref name="itemIds"/>: a plain command (docs/adr/0046), UNION ALL rather than OR so that each half uses its
    /// own index rather than the channel's every message.</summary>
    private static async Task<List<(string? ExternalId, string? InReplyTo, Guid ConversationId)>> RelatedAsync(ParleyDb db, Guid channelId,
        List<string> known, List<string> itemIds, CancellationToken ct)
    {
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var channel = command.Value<Message>(nameof(Message.ChannelId), channelId);
        const string select = "SELECT \"ExternalId\", \"InReplyToExternalId\", \"ConversationId\" FROM \"Messages\"";
        var sql = $"{select} WHERE \"ChannelId\" = {channel} AND {command.In<Message, string>("\"ExternalId\"", nameof(Message.ExternalId), known)} "
            + $"UNION ALL {select} WHERE \"ChannelId\" = {channel} AND {command.In<Message, string>("\"InReplyToExternalId\"", nameof(Message.InReplyToExternalId), itemIds)}";
        var conversation = command.Reader<Message>(nameof(Message.ConversationId));
        var found = new List<(string?, string?, Guid)>();
        await using var reader = await command.ReadAsync(sql, ct);
        while (await reader.ReadAsync(ct))
            found.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), (Guid)conversation(reader, 2)!));
        return found;
    }

    /// <summary>The brand's identities on the network with these network ids, as entities (docs/adr/0046).</summary>
    private static async Task<List<ContactIdentity>> IdentitiesAsync(ParleyDb db, Guid brandId, string network, List<string> externalIds,
        CancellationToken ct)
    {
        var rows = SnapshotReader.Of<ContactIdentity>(db);
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var sql = $"{rows.Select} WHERE \"BrandId\" = {command.Value<ContactIdentity>(nameof(ContactIdentity.BrandId), brandId)} "
            + $"AND \"Network\" = {command.Value<ContactIdentity>(nameof(ContactIdentity.Network), network)} "
            + $"AND {command.In<ContactIdentity, string>("\"ExternalId\"", nameof(ContactIdentity.ExternalId), externalIds)}";
        return await rows.EntitiesAsync<ContactIdentity>(db, command, sql, ct);
    }

    /// <summary>The conversations with these ids and, given a channel, the customers' open conversations on it (UNION ALL,
    /// each half on its own index; a conversation found both ways comes twice), as entities (docs/adr/0046).</summary>
    private static async Task<List<Conversation>> ConversationsAsync(ParleyDb db, List<Guid> ids, Guid? channelId, List<Guid> contactIds,
        CancellationToken ct)
    {
        var rows = SnapshotReader.Of<Conversation>(db);
        await using var command = await PlainCommand.OpenAsync(db, ct);
        var sql = $"{rows.Select} WHERE {command.In<Conversation, Guid>("\"Id\"", nameof(Conversation.Id), ids)}";
        if (channelId is { } channel)
            sql += $" UNION ALL {rows.Select} WHERE \"ChannelId\" = {command.Value<Conversation>(nameof(Conversation.ChannelId), channel)} "
                + $"AND {command.In<Conversation, Guid>("\"ContactId\"", nameof(Conversation.ContactId), contactIds)} "
                + $"AND \"Status\" = {command.Literal<Conversation>(nameof(Conversation.Status), ConversationStatus.Open)}";
        return await rows.EntitiesAsync<Conversation>(db, command, sql, ct);
    }

    /// <summary>The conversations read from the database: the ones whose rows must still be as the batch found them
    /// when it is written, and which it updates where it changed them.</summary>
    public IReadOnlyList<Conversation> Stored => Read.Conversations;

    /// <summary>The conversations and identities read from the database, with their values as read.</summary>
    internal ReadRows Read { get; private set; } = null!;

    /// <summary>The customers of the identities and conversations read: those whose history triage may read.</summary>
    public IReadOnlyCollection<Guid> StoredContacts { get; private set; } = [];

    public bool HasMessage(Guid channelId, string externalId) => _messages.ContainsKey((channelId, externalId));

    /// <summary>The conversation holding the message with this network id, if it is stored.</summary>
    public Conversation? ConversationOfMessage(Guid channelId, string externalId) =>
        _messages.TryGetValue((channelId, externalId), out var id) ? _conversations.GetValueOrDefault(id) : null;

    /// <summary>The conversation of a message that answers this network id, if one is stored.</summary>
    public Conversation? ConversationOfReplyTo(Guid channelId, string externalId) =>
        _replies.TryGetValue((channelId, externalId), out var id) ? _conversations.GetValueOrDefault(id) : null;

    /// <summary>The customer's open conversation on the channel with the newest message.</summary>
    public Conversation? OpenConversation(Guid channelId, Guid contactId)
    {
        if (!_byContact.TryGetValue((channelId, contactId), out var list)) return null;
        Conversation? newest = null;
        foreach (var c in list)
            if (c.Status == ConversationStatus.Open && (newest is null || c.LastMessageAt > newest.LastMessageAt)) newest = c;
        return newest;
    }

    public ContactIdentity? Identity(Guid brandId, string network, string externalId) =>
        _identities.GetValueOrDefault((brandId, network, externalId));

    /// <summary>Contacts created in this batch: they have no history for triage to load.</summary>
    private readonly HashSet<Guid> _newContacts = [];

    /// <summary>Adds an identity created in this batch, with its new contact.</summary>
    public void Add(ContactIdentity identity)
    {
        _identities[(identity.BrandId, identity.Network, identity.ExternalId)] = identity;
        _newContacts.Add(identity.ContactId);
    }

    public bool IsNewContact(Guid contactId) => _newContacts.Contains(contactId);

    public void Add(Conversation conversation)
    {
        if (!_conversations.TryAdd(conversation.Id, conversation)) return;
        var key = (conversation.ChannelId, conversation.ContactId);
        if (!_byContact.TryGetValue(key, out var list)) _byContact[key] = list = [];
        list.Add(conversation);
    }

    public void Add(Message message)
    {
        if (message.ExternalId is not null) _messages[(message.ChannelId, message.ExternalId)] = message.ConversationId;
        if (message.InReplyToExternalId is not null) _replies.TryAdd((message.ChannelId, message.InReplyToExternalId), message.ConversationId);
    }
}
