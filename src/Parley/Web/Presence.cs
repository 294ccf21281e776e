namespace Parley.Web;

/// <param name="Typing">True while they type (the client stops showing it a few seconds after the last ping).</param>
public sealed record PresentPerson(Guid UserId, string Name, bool Typing);

public sealed record PresenceDto(Guid ConversationId, IReadOnlyList<PresentPerson> People);

/// <summary>Who has a conversation open and who is typing in it, so two agents do not answer the same
/// customer. A person is present while a workspace page holds a live connection watching the
/// conversation; a lost connection removes them. Kept in memory: presence is per node (see ADR 9).</summary>
public sealed class Presence(TimeProvider clock)
{
    /// <summary>A typing ping counts for this long; clients ping more often while they type.</summary>
    public static readonly TimeSpan TypingLasts = TimeSpan.FromSeconds(6);

    private sealed record Entry(Guid ConnectionId, Guid UserId, string Name, DateTimeOffset? TypingAt);

    /// <summary>Where the conversation lives, so presence is only told to those who may see it.</summary>
    public sealed record Access(Guid BrandId, Guid? TeamId, Guid? AssigneeId);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (Access Access, List<Entry> Entries)> _rooms = [];

    /// <summary>Raised after every change, with the conversation's new state.</summary>
    public event Action<PresenceDto, Access>? Changed;

    public void Join(Guid conversationId, Access access, Guid connectionId, Guid userId, string name)
    {
        lock (_gate)
        {
            var entries = _rooms.TryGetValue(conversationId, out var room) ? room.Entries : [];
            _rooms[conversationId] = (access, entries);
            entries.Add(new Entry(connectionId, userId, name, null));
        }
        Raise(conversationId, access);
    }

    public void Leave(Guid conversationId, Guid connectionId)
    {
        Access access;
        lock (_gate)
        {
            if (!_rooms.TryGetValue(conversationId, out var room)) return;
            access = room.Access;
            room.Entries.RemoveAll(e => e.ConnectionId == connectionId);
            if (room.Entries.Count == 0) _rooms.Remove(conversationId);
        }
        Raise(conversationId, access);
    }

    /// <returns>False when the person does not have the conversation open.</returns>
    public bool SetTyping(Guid conversationId, Guid userId, bool typing)
    {
        var now = clock.GetUtcNow();
        Access access;
        lock (_gate)
        {
            if (!_rooms.TryGetValue(conversationId, out var room)) return false;
            access = room.Access;
            var found = false;
            for (var i = 0; i < room.Entries.Count; i++)
            {
                if (room.Entries[i].UserId != userId) continue;
                room.Entries[i] = room.Entries[i] with { TypingAt = typing ? now : null };
                found = true;
            }
            if (!found) return false;
        }
        Raise(conversationId, access);
        return true;
    }

    public PresenceDto Snapshot(Guid conversationId)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (!_rooms.TryGetValue(conversationId, out var room)) return new PresenceDto(conversationId, []);
            // One line per person however many tabs they have open; typing in any of them counts.
            var people = room.Entries.GroupBy(e => e.UserId)
                .Select(g => new PresentPerson(g.Key, g.First().Name, g.Any(e => e.TypingAt is { } at && now - at < TypingLasts)))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            return new PresenceDto(conversationId, people);
        }
    }

    /// <summary>Every conversation someone has open, for a page that shows who is where (the inbox).</summary>
    public IReadOnlyList<(PresenceDto Presence, Access Access)> All()
    {
        List<(Guid Id, Access Access)> rooms;
        lock (_gate) rooms = _rooms.Select(r => (r.Key, r.Value.Access)).ToList();
        return rooms.Select(r => (Snapshot(r.Id), r.Access)).ToList();
    }

    private void Raise(Guid conversationId, Access access) => Changed?.Invoke(Snapshot(conversationId), access);
}
