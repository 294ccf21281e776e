using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Conversations;
using Parley.Data;
using Parley.Platform.Apps;
using Parley.Platform.People;
using Parley.Triage;

namespace Parley.Web;

/// <param name="LastDirection">Who wrote last: "inbound" (the customer is waiting since <paramref name="LastMessageAt"/>) or "outbound".</param>
/// <param name="Preview">The latest message, sensitive values masked.</param>
/// <param name="Priority">0-100, with <paramref name="PriorityReasons"/> largest first.</param>
/// <param name="RankedPriority">What the inbox ranks by: the priority as of the customer's last complete burst, 0 once the brand has answered.</param>
/// <param name="Writing">The customer is still writing (inside the brand's patience window); it is ranked when they finish.</param>
public sealed record InboxItem(Guid Id, Guid BrandId, Guid ChannelId, string ChannelKind, string ChannelName, string Status, string State,
    ContactSummary Contact, string Preview, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, string LastDirection,
    Guid? TeamId, string? TeamName, Guid? AssigneeId, string? AssigneeName, DateTimeOffset? SnoozedUntil,
    int Priority, int RankedPriority, IReadOnlyList<string> PriorityReasons, bool Writing, bool Removed)
{
    /// <summary>The conversation's tags (by people and apps), alphabetical.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <param name="Total">How many conversations match the filters (all pages); with <c>ids</c>, how many of those ids do.</param>
public sealed record InboxPage(IReadOnlyList<InboxItem> Items, string? NextCursor, int Total);

/// <summary>The agent's inbox: one list across channels, filtered and searched, ordered by what needs
/// attention: highest priority first, then whoever has waited longest (docs/adr/0010). Conversations the
/// brand's removal rules took out (spam, threats, abuse) are left out unless asked for. Also answers "which of these ids still match my filters", which is how the live inbox refreshes rows.</summary>
public static class Inbox
{
    public const int MaxIds = 100;
    /// <summary>The rows a page shows first (inbox.js asks for as many).</summary>
    public const int FirstPageSize = 50;

    public static void MapInbox(this IEndpointRouteBuilder api) =>
        api.MapGet("/inbox", Handle).WithTags("Workspace")
            .WithSummary("The caller's inbox: conversations they may see, filtered (status, state, channel, team, assignee, removed), searched (q: text, or @handle), " +
                "highest priority first with ties oldest waiting first (sort=waiting: oldest waiting first; resolved: newest first).");

    /// <param name="status">open (default), resolved or all.</param>
    /// <param name="state">new, acknowledged, waiting_on_customer or snoozed.</param>
    /// <param name="channel">A channel id, or a network kind (x, meta).</param>
    /// <param name="team">A team id, or "none" for conversations in no team's queue.</param>
    /// <param name="assignee">A person's id, "me", or "none".</param>
    /// <param name="q">Words in the messages, preview or customer's name; "@name" searches customer handles only.</param>
    /// <param name="ids">Comma-separated conversation ids: only these (those still matching the filters).</param>
    /// <param name="sort">priority (default; resolved: recent), waiting (oldest waiting first) or recent (newest first).</param>
    /// <param name="removed">Conversations the brand's removal rules took out: left out (default), "include", or "only".</param>
    /// <param name="tag">Only conversations with this tag.</param>
    internal static async Task<Results<Ok<InboxPage>, ValidationProblem>> Handle(ParleyDb db, Viewer viewer,
        string? status, string? state, string? channel, string? team, string? assignee, string? q, string? ids, int? limit, string? cursor,
        string? sort, string? removed, string? tag, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var query = viewer.Visible(db.Conversations.AsNoTracking());
        Guid[]? wanted = null;

        var newestFirst = false;
        switch (status ?? "open")
        {
            case "open": query = query.Where(c => c.Status == ConversationStatus.Open); break;
            case "resolved": query = query.Where(c => c.Status == ConversationStatus.Resolved); newestFirst = true; break;
            case "all": break;
            default: errors["status"] = ["'status' is open, resolved or all."]; break;
        }
        var order = (sort ?? (newestFirst ? "recent" : "priority")) switch
        {
            "priority" => Order.Priority,
            "waiting" => Order.Waiting,
            "recent" => Order.Recent,
            _ => (Order?)null,
        };
        if (order is null) errors["sort"] = ["'sort' is priority, waiting or recent."];
        newestFirst = order == Order.Recent;
        switch (removed)
        {
            case null: query = query.Where(c => !c.Removed); break;
            case "only": query = query.Where(c => c.Removed); break;
            case "include": break;
            default: errors["removed"] = ["'removed' is 'include' or 'only'; omit it to leave removed conversations out."]; break;
        }
        if (state is not null)
        {
            if (ConversationStates.Parse(state) is { } s) query = query.Where(c => c.State == s);
            else errors["state"] = ["'state' is one of new, acknowledged, waiting_on_customer, snoozed, resolved."];
        }
        if (!string.IsNullOrEmpty(channel))
        {
            if (Guid.TryParse(channel, out var channelId)) query = query.Where(c => c.ChannelId == channelId);
            else query = query.Where(c => db.Channels.Any(ch => ch.Id == c.ChannelId && ch.Kind == channel));
        }
        if (!string.IsNullOrEmpty(team))
        {
            if (team == "none") query = query.Where(c => c.TeamId == null);
            else if (Guid.TryParse(team, out var teamId)) query = query.Where(c => c.TeamId == teamId);
            else errors["team"] = ["'team' is a team id or 'none'."];
        }
        if (!string.IsNullOrEmpty(assignee))
        {
            if (assignee == "none") query = query.Where(c => c.AssigneeId == null);
            else if (assignee == "me" && viewer.UserId is { } me) query = query.Where(c => c.AssigneeId == me);
            else if (Guid.TryParse(assignee, out var userId)) query = query.Where(c => c.AssigneeId == userId);
            else errors["assignee"] = ["'assignee' is a person's id, 'me' (for a signed-in person) or 'none'."];
        }
        if (!string.IsNullOrEmpty(tag))
        {
            if (Tags.Normalize(tag) is { } wantedTag) query = query.Where(c => db.Set<ConversationTag>().Any(x => x.ConversationId == c.Id && x.Tag == wantedTag));
            else errors["tag"] = ["'tag' is 1 to 50 characters of a-z, 0-9, '_', ':', '.' and '-'."];
        }
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL on both providers; the StringComparison overloads it cannot translate.
        if (q?.Trim() is { Length: > 0 } search)
        {
            if (search.Length > 200) errors["q"] = ["'q' has at most 200 characters."];
            var term = search.TrimStart('@').ToLowerInvariant();
            if (search.StartsWith('@'))
                query = query.Where(c => db.ContactIdentities.Any(i => i.ContactId == c.ContactId && i.Handle != null && i.Handle.ToLower().Contains(term)));
            else
                query = query.Where(c => c.Preview.ToLower().Contains(term)
                    || c.Contact!.DisplayName.ToLower().Contains(term)
                    || db.ContactIdentities.Any(i => i.ContactId == c.ContactId && i.Handle != null && i.Handle.ToLower().Contains(term))
                    || db.Messages.Any(m => m.ConversationId == c.Id && m.Text.ToLower().Contains(term)));
        }
#pragma warning restore CA1862
        if (!string.IsNullOrEmpty(ids))
        {
            var parsed = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => Guid.TryParse(s, out var g) ? g : (Guid?)null).ToList();
            if (parsed.Any(g => g is null) || parsed.Count > MaxIds) errors["ids"] = [$"'ids' is a comma-separated list of at most {MaxIds} conversation ids."];
            else
            {
                var only = parsed.Select(g => g!.Value).ToArray();
                wanted = only;
                query = query.Where(c => only.Contains(c.Id));
            }
        }
        var take = limit ?? 50;
        if (take is < 1 or > 200) errors["limit"] = ["'limit' is between 1 and 200."];
        (DateTimeOffset At, Guid Id)? after = null;
        PriorityOrder.Position? afterPriority = null;
        if (cursor is not null && (order == Order.Priority ? (afterPriority = PriorityOrder.Decode(cursor)) is null : (after = DecodeCursor(cursor)) is null))
            errors["cursor"] = ["'cursor' is not one this API returned for this sort; pass 'nextCursor' from the previous page."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // A live refresh (ids) counts only when its answer is cut short: fifty pages refresh several times a
        // second, and counting the whole filter for each was most of that work.
        var filtered = query;
        var total = wanted is null ? await filtered.CountAsync(ct) : (int?)null;
        if (afterPriority is { } p) query = PriorityOrder.After(query, p);
        if (after is { } a)
        {
            query = newestFirst
                ? query.Where(c => c.LastMessageAt < a.At || (c.LastMessageAt == a.At && c.Id.CompareTo(a.Id) < 0))
                : query.Where(c => c.LastMessageAt > a.At || (c.LastMessageAt == a.At && c.Id.CompareTo(a.Id) > 0));
        }
        // A refresh by id looks its rows up by key and sorts the few it finds here (below). Ordered in SQL, SQLite
        // walked the order's index through every open conversation to find the ids (docs/adr/0026).
        if (wanted is null)
        {
            query = order switch
            {
                Order.Priority => PriorityOrder.Apply(query, after: null),
                Order.Recent => query.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id),
                _ => query.OrderBy(c => c.LastMessageAt).ThenBy(c => c.Id),
            };
        }

        var rows = await Project(db, wanted is null ? query.Take(take + 1) : query).ToListAsync(ct);
        if (wanted is not null)
        {
            rows = order switch
            {
                Order.Priority => [.. rows.OrderByDescending(r => r.RankedPriority).ThenBy(r => r.LastMessageAt).ThenBy(r => r.Id, ByKey)],
                Order.Recent => [.. rows.OrderByDescending(r => r.LastMessageAt).ThenByDescending(r => r.Id, ByKey)],
                _ => [.. rows.OrderBy(r => r.LastMessageAt).ThenBy(r => r.Id, ByKey)],
            };
        }

        var page = rows.Take(take).ToList();
        total ??= rows.Count <= take && cursor is null ? rows.Count : await filtered.CountAsync(ct);
        var items = await ItemsAsync(db, page, ct);
        var next = rows.Count <= take ? null
            : order == Order.Priority ? PriorityOrder.Encode(items[^1].RankedPriority, items[^1].LastMessageAt, items[^1].Id)
            : EncodeCursor(items[^1].LastMessageAt, items[^1].Id);
        return TypedResults.Ok(new InboxPage(items, next, total.Value));
    }

    /// <summary>The inbox rows of these conversations as they are now, whoever may see them and whatever page would list
    /// them: the live feed reads them once for every open page and each page is sent those its person may see
    /// (docs/adr/0029). Conversations that do not exist are left out.</summary>
    public static async Task<List<InboxItem>> RowsByIdAsync(ParleyDb db, Guid[] ids, CancellationToken ct) =>
        ids.Length == 0 ? [] : await ItemsAsync(db, await Project(db, db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id))).ToListAsync(ct), ct);

    /// <summary>What a row needs from the conversation, its customer and its latest message, in one query.</summary>
    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid BrandId { get; init; }
        public Guid ChannelId { get; init; }
        public ConversationStatus Status { get; init; }
        public ConversationState State { get; init; }
        public Guid ContactId { get; init; }
        public string Preview { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset LastMessageAt { get; init; }
        public Guid? TeamId { get; init; }
        public Guid? AssigneeId { get; init; }
        public DateTimeOffset? SnoozedUntil { get; init; }
        public int Priority { get; init; }
        public int RankedPriority { get; init; }
        public string PriorityReasons { get; init; } = "[]";
        public DateTimeOffset? ReadyAt { get; init; }
        public bool ReadyAnnounced { get; init; }
        public bool Removed { get; init; }
        public string DisplayName { get; init; } = "";
        public string? Handle { get; init; }
        public MessageDirection? LastDirection { get; init; }
    }

    private static IQueryable<Row> Project(ParleyDb db, IQueryable<Conversation> query) => query.Select(c => new Row
    {
        Id = c.Id, BrandId = c.BrandId, ChannelId = c.ChannelId, Status = c.Status, State = c.State, ContactId = c.ContactId, Preview = c.Preview,
        CreatedAt = c.CreatedAt, LastMessageAt = c.LastMessageAt, TeamId = c.TeamId, AssigneeId = c.AssigneeId, SnoozedUntil = c.SnoozedUntil,
        Priority = c.Priority, RankedPriority = c.RankedPriority, PriorityReasons = c.PriorityReasons, ReadyAt = c.ReadyAt,
        ReadyAnnounced = c.ReadyAnnounced, Removed = c.Removed,
        DisplayName = c.Contact!.DisplayName,
        Handle = db.ContactIdentities.Where(i => i.ContactId == c.ContactId).Select(i => i.Handle).FirstOrDefault(),
        LastDirection = db.Messages.Where(m => m.ConversationId == c.Id).OrderByDescending(m => m.CreatedAt)
            .Select(m => (MessageDirection?)m.Direction).FirstOrDefault(),
    });

    /// <summary>Rows with the names of their channels, teams and people, and their tags; a lookup with nothing to
    /// look up is not sent.</summary>
    private static async Task<List<InboxItem>> ItemsAsync(ParleyDb db, List<Row> page, CancellationToken ct)
    {
        var channelIds = page.Select(r => r.ChannelId).Distinct().ToArray();
        var channels = channelIds.Length == 0 ? [] : await db.Channels.AsNoTracking().Where(ch => channelIds.Contains(ch.Id))
            .ToDictionaryAsync(ch => ch.Id, ch => (ch.Kind, ch.Name), ct);
        var teamIds = page.Where(r => r.TeamId is not null).Select(r => r.TeamId!.Value).Distinct().ToArray();
        var teams = teamIds.Length == 0 ? [] : await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var userIds = page.Where(r => r.AssigneeId is not null).Select(r => r.AssigneeId!.Value).Distinct().ToArray();
        var users = userIds.Length == 0 ? [] : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);

        var items = page.Select(r => new InboxItem(r.Id, r.BrandId, r.ChannelId,
            channels.GetValueOrDefault(r.ChannelId).Kind ?? "", channels.GetValueOrDefault(r.ChannelId).Name ?? "",
            MessageDto.Lower(r.Status), ConversationStates.Name(r.State),
            new ContactSummary(r.ContactId, r.Handle, r.DisplayName), SensitiveData.MaskSensitive(r.Preview), r.CreatedAt, r.LastMessageAt,
            r.LastDirection == MessageDirection.Outbound ? "outbound" : "inbound",
            r.TeamId, r.TeamId is { } t ? teams.GetValueOrDefault(t) : null,
            r.AssigneeId, r.AssigneeId is { } u ? users.GetValueOrDefault(u) : null, r.SnoozedUntil,
            r.Priority, r.RankedPriority, StoredSignals.ReadReasons(r.PriorityReasons), !r.ReadyAnnounced && r.ReadyAt != null, r.Removed)).ToList();
        var tagged = await ConversationTagLookup.ForAsync(db, items.Select(i => i.Id).ToArray(), ct);
        return items.Select(i => tagged.Contains(i.Id) ? i with { Tags = tagged[i.Id].ToList() } : i).ToList();
    }

    private enum Order { Priority, Waiting, Recent }

    /// <summary>Ids in the databases' order (SQLite compares their text, PostgreSQL their bytes: the same order).</summary>
    private static readonly IComparer<Guid> ByKey = Comparer<Guid>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));

    private static string EncodeCursor(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks}|{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTimeOffset, Guid)? DecodeCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            return parts.Length == 2 && long.TryParse(parts[0], out var ticks) && Guid.TryParse(parts[1], out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id) : null;
        }
        catch (FormatException) { return null; }
        catch (ArgumentOutOfRangeException) { return null; }
    }
}
