using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Events;
using Parley.Platform.People;
using Parley.Promises;

namespace Parley.Web;

/// <param name="Item">The row as <c>GET /api/v1/inbox</c> would list it now.</param>
/// <param name="Clock">Its most pressing service-level clock, as <c>GET /api/v1/clocks</c> gives it.</param>
/// <param name="News">The batch created the conversation or completed a customer's burst: the inbox may count it as new.</param>
/// <param name="At">When the first of the batch's events about it was written.</param>
public sealed record LiveRow(InboxItem Item, ClockSummaryDto? Clock, bool News, DateTimeOffset At);

/// <summary>The inbox rows of the conversations one batch of events touched, read once and serialized once for every
/// inbox page, then handed to each page as one <c>inbox.rows</c> message holding those its person may see. Before, each
/// of fifty pages was sent every event and asked back for the rows (<c>/api/v1/inbox?ids=</c>) and their clocks several
/// times a second, each request paying for authentication, the viewer and the queries again (docs/adr/0029).</summary>
public sealed class InboxRows
{
    private readonly List<(InboxItem Item, string Json)> _rows;
    /// <summary>Conversations reassigned or routed in the batch: pages that may no longer see them are told to drop them.</summary>
    private readonly List<(Guid Id, Guid BrandId)> _moved;
    /// <summary>Pages whose people see the same rows get the same message (often all agents of a team).</summary>
    private readonly Dictionary<string, LiveMessage?> _messages = new(StringComparer.Ordinal);

    private InboxRows(List<(InboxItem, string)> rows, List<(Guid, Guid)> moved, Dictionary<Guid, Presence.Access> access)
    {
        _rows = rows;
        _moved = moved;
        Access = access;
    }

    /// <summary>Where each conversation lives, for deciding who hears the batch's events.</summary>
    public IReadOnlyDictionary<Guid, Presence.Access> Access { get; }

    public static async Task<InboxRows> ReadAsync(ParleyDb db, IReadOnlyList<Event> batch, Guid[] ids, DateTimeOffset now, CancellationToken ct)
    {
        if (ids.Length == 0) return new InboxRows([], [], []);
        var items = await Inbox.RowsByIdAsync(db, ids, ct);
        var conversations = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        var clocks = conversations.Count == 0 ? [] : (await ClockSummaries.EvaluateAsync(db, conversations, now, ct)).ToDictionary(c => c.ConversationId);
        var events = batch.Select(e => (Event: e, Conversation: LiveFeed.ConversationOf(e.Subject))).Where(x => x.Conversation is not null)
            .GroupBy(x => x.Conversation!.Value).ToDictionary(g => g.Key, g => g.Select(x => x.Event).ToList());
        var rows = new List<(InboxItem, string)>(items.Count);
        var moved = new List<(Guid, Guid)>();
        foreach (var item in items)
        {
            var about = events.GetValueOrDefault(item.Id) ?? [];
            var news = about.Any(e => e.Type is "conversation.created" or "triage.burst_completed");
            var at = about.Count == 0 ? now : about.Min(e => e.OccurredAt);
            rows.Add((item, JsonSerializer.Serialize(new LiveRow(item, clocks.GetValueOrDefault(item.Id), news, at), JsonSerializerOptions.Web)));
            if (about.Any(e => e.Type is "conversation.assigned" or "conversation.routed")) moved.Add((item.Id, item.BrandId));
        }
        return new InboxRows(rows, moved, items.ToDictionary(i => i.Id, i => new Presence.Access(i.BrandId, i.TeamId, i.AssigneeId)));
    }

    /// <summary>The message for a page of this viewer: the rows they may see, and the moved ones they no longer may
    /// (ids only, and only in brands they see); null when there is nothing for them.</summary>
    public LiveMessage? For(Viewer viewer)
    {
        var visible = new List<int>();
        for (var i = 0; i < _rows.Count; i++)
            if (viewer.CanSee(_rows[i].Item.BrandId, _rows[i].Item.TeamId, _rows[i].Item.AssigneeId)) visible.Add(i);
        var gone = _moved.Where(m => !visible.Any(i => _rows[i].Item.Id == m.Id) && viewer.SeesBrand(m.BrandId)).Select(m => m.Id).ToList();
        var key = string.Join(',', visible) + "|" + string.Join(',', gone);
        if (_messages.TryGetValue(key, out var known)) return known;
        LiveMessage? message = null;
        if (visible.Count > 0 || gone.Count > 0)
        {
            var json = new StringBuilder("{\"rows\":[");
            for (var i = 0; i < visible.Count; i++) json.Append(i == 0 ? "" : ",").Append(_rows[visible[i]].Json);
            json.Append("],\"gone\":[");
            for (var i = 0; i < gone.Count; i++) json.Append(i == 0 ? "\"" : ",\"").Append(gone[i]).Append('"');
            json.Append("]}");
            message = new LiveMessage("inbox.rows", json.ToString());
        }
        _messages[key] = message;
        return message;
    }
}
