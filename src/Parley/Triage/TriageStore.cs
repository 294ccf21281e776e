using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Ingest;
using Parley.Platform.Events;

namespace Parley.Triage;

/// <summary>The database side of triage: loading what <see cref="ConversationTriage"/> reads, storing what it
/// says, and the events that tell the inbox. Used by ingest, by the recompute after a brand changes its rules,
/// and when a brand's app changes a customer's facts.</summary>
public static class TriageStore
{
    /// <summary>How many of the customer's recent messages are loaded for context (the newest).</summary>
    public const int MaxContextPosts = 40;
    /// <summary>How many messages of one conversation a recompute re-analyses (the newest).</summary>
    public const int MaxRecomputedMessages = 200;

    /// <summary>Reach, history and value: one query.</summary>
    public static async Task<CustomerProfile> LoadProfileAsync(ParleyDb db, Conversation conversation, CancellationToken ct)
    {
        var row = await db.Contacts.AsNoTracking().Where(x => x.Id == conversation.ContactId).Select(x => new
        {
            x.Value,
            Followers = x.Identities.Max(i => i.Followers),
            Verified = x.Identities.Any(i => i.Verified),
            Previous = db.Conversations.Count(o => o.ContactId == x.Id && o.Id != conversation.Id),
            // A scalar subquery (not an object): providers then look up one row instead of ranking every conversation.
            // "How it ended": still open somewhere else, or closed without the brand ever answering.
            LastUnresolved = db.Conversations.Where(o => o.ContactId == x.Id && o.Id != conversation.Id && o.CreatedAt <= conversation.CreatedAt)
                .OrderByDescending(o => o.LastMessageAt)
                .Select(o => (bool?)(o.Status == ConversationStatus.Open || o.AcknowledgedAt == null)).FirstOrDefault(),
        }).FirstOrDefaultAsync(ct);
        if (row is null) return CustomerProfile.Unknown;
        return new CustomerProfile(row.Followers ?? 0, row.Verified, row.Previous, row.LastUnresolved == true, row.Value);
    }

    /// <summary>The customer's messages to the brand from <paramref name="since"/> on, in any of their
    /// conversations, newest first, at most <paramref name="max"/>.</summary>
    public static Task<List<StoredPost>> LoadPostsAsync(ParleyDb db, Guid contactId, DateTimeOffset since, int max, CancellationToken ct) =>
        (from c in db.Conversations
         where c.ContactId == contactId
         join m in db.Messages on c.Id equals m.ConversationId
         where m.Direction == MessageDirection.Inbound && m.CreatedAt >= since
         orderby m.CreatedAt descending
         select new StoredPost(m.Id, m.ConversationId, m.Text, m.CreatedAt, m.Visibility, m.Signals))
        .AsNoTracking().Take(max).ToListAsync(ct);

    /// <summary>The recent messages of many customers at once (one query for a batch, rather than one per customer):
    /// each customer's newest <paramref name="max"/> from <paramref name="since"/> on, newest first. A customer's own,
    /// later cut-off is then a prefix of the list. <paramref name="conversations"/> are all of their conversations
    /// (<see cref="CustomerProfiles.Conversations"/>).</summary>
    /// <remarks>Every inbound message of those conversations since the cut-off is read (an index range per conversation)
    /// and the newest kept here: linear in the customers' recent messages. The correlated <c>LIMIT</c> this replaces
    /// (docs/adr/0023) walked a conversation's newest messages again for each of them, so a customer with a hundred
    /// unanswered messages cost a hundred times forty row visits in every batch (docs/adr/0037); and EF Core translates
    /// no <c>Take</c> per group that would number only these conversations' messages.</remarks>
    public static async Task<Dictionary<Guid, List<StoredPost>>> LoadPostsAsync(ParleyDb db, IReadOnlyCollection<Guid> contactIds,
        IReadOnlyDictionary<Guid, Guid> conversations, DateTimeOffset since, int max, CancellationToken ct)
    {
        var byContact = contactIds.ToDictionary(id => id, _ => new List<StoredPost>());
        // A plain command rather than EF Core's pipeline, read as EF Core reads each column (docs/adr/0046).
        await using (var command = await PlainCommand.OpenAsync(db, ct))
        {
            var inbound = command.Literal<Message>(nameof(Message.Direction), MessageDirection.Inbound);
            var sql = "SELECT \"Id\", \"ConversationId\", \"Text\", \"CreatedAt\", \"Visibility\", \"Signals\" FROM \"Messages\" WHERE "
                + $"{command.In<Message, Guid>("\"ConversationId\"", nameof(Message.ConversationId), [.. conversations.Keys])} "
                + $"AND \"Direction\" = {inbound} AND \"CreatedAt\" >= {command.Value<Message>(nameof(Message.CreatedAt), since)}";
            var id = command.Reader<Message>(nameof(Message.Id));
            var conversation = command.Reader<Message>(nameof(Message.ConversationId));
            var at = command.Reader<Message>(nameof(Message.CreatedAt));
            var visibility = command.Reader<Message>(nameof(Message.Visibility));
            await using var reader = await command.ReadAsync(sql, ct);
            while (await reader.ReadAsync(ct))
            {
                var post = new StoredPost((Guid)id(reader, 0)!, (Guid)conversation(reader, 1)!, reader.GetString(2), (DateTimeOffset)at(reader, 3)!,
                    (MessageVisibility)visibility(reader, 4)!, reader.IsDBNull(5) ? null : reader.GetString(5));
                byContact[conversations[post.ConversationId]].Add(post);
            }
        }
        foreach (var list in byContact.Values)
        {
            list.Sort((a, b) => b.At.CompareTo(a.At));
            if (list.Count > max) list.RemoveRange(max, list.Count - max);
        }
        return byContact;
    }

    /// <summary>What <see cref="LoadProfileAsync"/> reads, for many customers at once: two queries for a batch.</summary>
    public static async Task<CustomerProfiles> LoadProfilesAsync(ParleyDb db, IReadOnlyCollection<Guid> contactIds, CancellationToken ct)
    {
        // Plain commands rather than EF Core's pipeline, read as EF Core reads each column (docs/adr/0046).
        var contacts = new List<CustomerProfiles.Reach>(contactIds.Count);
        var conversations = new List<CustomerProfiles.Earlier>();
        await using (var command = await PlainCommand.OpenAsync(db, ct))
        {
            var sql = "SELECT c.\"Id\", c.\"Value\", (SELECT MAX(i.\"Followers\") FROM \"ContactIdentities\" AS i WHERE i.\"ContactId\" = c.\"Id\"), "
                + "EXISTS (SELECT 1 FROM \"ContactIdentities\" AS i WHERE i.\"ContactId\" = c.\"Id\" AND i.\"Verified\") "
                + $"FROM \"Contacts\" AS c WHERE {command.In<Contact, Guid>("c.\"Id\"", nameof(Contact.Id), contactIds)}";
            var id = command.Reader<Contact>(nameof(Contact.Id));
            var value = command.Reader<Contact>(nameof(Contact.Value));
            await using var reader = await command.ReadAsync(sql, ct);
            while (await reader.ReadAsync(ct))
                contacts.Add(new CustomerProfiles.Reach((Guid)id(reader, 0)!, (decimal?)value(reader, 1),
                    reader.IsDBNull(2) ? 0 : Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                    Convert.ToBoolean(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)));
        }
        await using (var command = await PlainCommand.OpenAsync(db, ct))
        {
            var sql = "SELECT \"Id\", \"ContactId\", \"CreatedAt\", \"LastMessageAt\", \"Status\", \"AcknowledgedAt\" FROM \"Conversations\" "
                + $"WHERE {command.In<Conversation, Guid>("\"ContactId\"", nameof(Conversation.ContactId), contactIds)}";
            var id = command.Reader<Conversation>(nameof(Conversation.Id));
            var contact = command.Reader<Conversation>(nameof(Conversation.ContactId));
            var created = command.Reader<Conversation>(nameof(Conversation.CreatedAt));
            var last = command.Reader<Conversation>(nameof(Conversation.LastMessageAt));
            var status = command.Reader<Conversation>(nameof(Conversation.Status));
            await using var reader = await command.ReadAsync(sql, ct);
            while (await reader.ReadAsync(ct))
                conversations.Add(new CustomerProfiles.Earlier((Guid)id(reader, 0)!, (Guid)contact(reader, 1)!, (DateTimeOffset)created(reader, 2)!,
                    (DateTimeOffset)last(reader, 3)!, (ConversationStatus)status(reader, 4)! == ConversationStatus.Open || reader.IsDBNull(5)));
        }
        return new CustomerProfiles(contacts, conversations);
    }

    public static PostVisibility VisibilityOf(MessageVisibility v) => v == MessageVisibility.Public ? PostVisibility.Public : PostVisibility.Private;

    /// <summary>Logs what a triage change means for the inbox: a burst that is complete (with its priority), and,
    /// when asked, a new priority. A customer's message does not log its priority change: message.received says a
    /// message came, and triage.burst_completed gives the priority the inbox ranks by once the customer stops.
    /// One event fewer per message keeps ingest lean.</summary>
    public static void AppendEvents(ParleyDb db, Conversation c, TriageChange change, string by, DateTimeOffset now, bool logPriority = true)
    {
        var reasons = StoredSignals.ReadReasons(c.PriorityReasons);
        if (logPriority && change.PreviousPriority is { } previous)
            db.Append("triage.priority_changed", $"conversations/{c.Id}", c.BrandId, new TriagePriorityChangedData(
                c.Id, c.Priority, previous, c.RankedPriority, reasons, by, EventActor.Automated(by)), now);
        if (change.BecameReady && c.Status == ConversationStatus.Open)
            AppendReady(db, c.Id, c.BrandId, c.Priority, reasons, c.BurstStartedAt, c.ReadyAt, now);
    }

    public static void AppendReady(ParleyDb db, Guid conversationId, Guid brandId, int priority, IReadOnlyList<string> reasons,
        DateTimeOffset? burstStartedAt, DateTimeOffset? readyAt, DateTimeOffset now) =>
        db.Append("triage.burst_completed", $"conversations/{conversationId}", brandId, new TriageBurstCompletedData(conversationId, priority, reasons, burstStartedAt, readyAt), now);

    /// <summary>The same event as <see cref="AppendReady(ParleyDb, Guid, Guid, int, IReadOnlyList{string}, DateTimeOffset?, DateTimeOffset?, DateTimeOffset)"/>,
    /// for a writer that inserts its rows itself (the patience sweep, docs/adr/0049).</summary>
    public static void AppendReady(ProcessedRows rows, Guid conversationId, Guid brandId, int priority, IReadOnlyList<string> reasons,
        DateTimeOffset? burstStartedAt, DateTimeOffset? readyAt, DateTimeOffset now) =>
        rows.Append("triage.burst_completed", $"conversations/{conversationId}", brandId, new TriageBurstCompletedData(conversationId, priority, reasons, burstStartedAt, readyAt), now);

    /// <summary>Re-triages one conversation from what is stored: every message's signals (the newest
    /// <see cref="MaxRecomputedMessages"/>) and the conversation's priority. The caller saves.</summary>
    public static async Task<TriageChange?> RecomputeAsync(ParleyDb db, Conversation c, BrandTriageSettings settings, int version,
        string network, string by, DateTimeOffset now, CancellationToken ct)
    {
        var own = await db.Messages.Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Inbound)
            .OrderByDescending(m => m.CreatedAt).Take(MaxRecomputedMessages).ToListAsync(ct);
        if (own.Count == 0)
        {
            c.Untriaged(version);
            return null;
        }
        var first = own.Min(m => m.CreatedAt);
        var others = await LoadPostsAsync(db, c.ContactId, first - UrgencyCues.RecentWindow, MaxRecomputedMessages, ct);
        var replies = await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id && m.Direction == MessageDirection.Outbound)
            .Select(m => m.CreatedAt).ToListAsync(ct);
        var profile = await LoadProfileAsync(db, c, ct);

        var posts = own.Select(m => new CustomerPost(m.Id, c.Id, m.Text, m.CreatedAt, VisibilityOf(m.Visibility)))
            .Concat(others.Where(p => p.ConversationId != c.Id).Select(p => p.ToPost())).ToList();
        var history = new ConversationHistory(c.Id, network, posts, replies, c.ResolvedAt, profile);
        var signals = new Dictionary<Guid, MessageSignals>();
        foreach (var message in own)
        {
            var result = ConversationTriage.AnalyzeMessage(posts.First(p => p.Id == message.Id), history, settings);
            var s = MessageSignals.From(result);
            message.Signals = StoredSignals.Write(s);
            signals[message.Id] = s;
        }
        var change = c.Triaged(ConversationTriage.Assess(history, settings, signals), version, now);
        AppendEvents(db, c, change, by, now);
        return change;
    }
}

/// <summary>A customer's stored message with its stored signals.</summary>
public sealed record StoredPost(Guid Id, Guid ConversationId, string Text, DateTimeOffset At, MessageVisibility Visibility, string? Signals)
{
    private CustomerPost? _post;
    private MessageSignals? _signals;

    /// <summary>The same instance each time: a customer's post is read again for each of their next messages in a batch.</summary>
    public CustomerPost ToPost() => _post ??= new(Id, ConversationId, Text, At, TriageStore.VisibilityOf(Visibility));

    /// <summary>The stored signals, parsed once (null when there are none or they are unreadable).</summary>
    public MessageSignals? ReadSignals() => _signals ??= StoredSignals.Read<MessageSignals>(Signals);

    /// <summary>A message just triaged: its signals are at hand, not parsed back from their JSON.</summary>
    public static StoredPost Triaged(CustomerPost post, MessageVisibility visibility, string json, MessageSignals signals) =>
        new(post.Id, post.ConversationId, post.Text, post.At, visibility, json) { _post = post, _signals = signals };
}

/// <summary>Reach, history and value of many customers as one batch found them in the database; a conversation's
/// profile is then worked out in memory exactly as <see cref="TriageStore.LoadProfileAsync"/> reads it.</summary>
public sealed class CustomerProfiles
{
    public sealed record Reach(Guid ContactId, decimal? Value, long Followers, bool Verified);
    /// <param name="Unresolved">Still open, or closed without the brand ever answering.</param>
    public sealed record Earlier(Guid Id, Guid ContactId, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, bool Unresolved);

    private readonly Dictionary<Guid, Reach> _reach;
    private readonly Dictionary<Guid, List<Earlier>> _conversations = [];

    public CustomerProfiles(IEnumerable<Reach> reach, IEnumerable<Earlier> conversations)
    {
        _reach = reach.ToDictionary(r => r.ContactId);
        foreach (var c in conversations)
        {
            if (!_conversations.TryGetValue(c.ContactId, out var list)) _conversations[c.ContactId] = list = [];
            list.Add(c);
        }
    }

    public bool Covers(Guid contactId) => _reach.ContainsKey(contactId);

    /// <summary>Every conversation of these customers, with whose it is.</summary>
    public IReadOnlyDictionary<Guid, Guid> Conversations => _conversations.Values.SelectMany(l => l).ToDictionary(c => c.Id, c => c.ContactId);

    /// <summary>The customer as <paramref name="conversation"/>'s triage sees them: its other conversations count as
    /// history, and "how the last one ended" is the most recently active of those begun no later than this one.</summary>
    public CustomerProfile For(Guid contactId, Guid conversationId, DateTimeOffset conversationCreatedAt)
    {
        if (!_reach.TryGetValue(contactId, out var reach)) return CustomerProfile.Unknown;
        var previous = 0;
        Earlier? last = null;
        foreach (var c in _conversations.GetValueOrDefault(contactId) ?? [])
        {
            if (c.Id == conversationId) continue;
            previous++;
            if (c.CreatedAt <= conversationCreatedAt && (last is null || c.LastMessageAt > last.LastMessageAt)) last = c;
        }
        return new CustomerProfile(reach.Followers, reach.Verified, previous, last?.Unresolved == true, reach.Value);
    }
}
