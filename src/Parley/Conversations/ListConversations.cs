using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.Apps;
using Parley.Platform.People;

namespace Parley.Conversations;

public static class ListConversations
{
    public static void MapListConversations(this IEndpointRouteBuilder group) =>
        group.MapGet("/", Handle).WithSummary("Lists the conversations the caller may see, a page at a time: newest activity first, or with sort=priority " +
            "highest priority first (ties: oldest waiting first). Previews have sensitive values masked.");

    /// <param name="sort">recent (default: newest activity first) or priority.</param>
    /// <param name="removed">true: only conversations the brand's removal rules took out of the inbox; false: none of them; omitted: all.</param>
    /// <param name="tag">Only conversations with this tag.</param>
    private static async Task<Results<Ok<ConversationPage>, ValidationProblem>> Handle(
        ParleyDb db, Viewer viewer, string? status, string? state, int? limit, string? cursor, string? sort, string? removed,
        string? tag, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var wantedTag = tag is null ? null : Tags.Normalize(tag);
        if (tag is not null && wantedTag is null) errors["tag"] = ["'tag' is 1 to 50 characters of a-z, 0-9, '_', ':', '.' and '-'."];
        ConversationStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<ConversationStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _)) wanted = parsed;
            else errors["status"] = ["'status' is 'open' or 'resolved'."];
        }
        ConversationState? wantedState = null;
        if (state is not null)
        {
            wantedState = ConversationStates.Parse(state);
            if (wantedState is null) errors["state"] = ["'state' is one of new, acknowledged, waiting_on_customer, snoozed, resolved."];
        }
        var take = limit ?? 50;
        if (take is < 1 or > 200) errors["limit"] = ["'limit' is between 1 and 200."];
        var byPriority = sort switch
        {
            null or "recent" => false,
            "priority" => true,
            _ => (bool?)null,
        };
        if (byPriority is null) errors["sort"] = ["'sort' is 'recent' or 'priority'."];
        bool? onlyRemoved = removed switch { null => null, "true" => true, "false" => false, _ => null };
        if (removed is not (null or "true" or "false")) errors["removed"] = ["'removed' is 'true' or 'false'."];
        (DateTimeOffset At, Guid Id)? after = null;
        PriorityOrder.Position? afterPriority = null;
        if (cursor is not null)
        {
            if (byPriority == true) afterPriority = PriorityOrder.Decode(cursor);
            else after = DecodeCursor(cursor);
            if (after is null && afterPriority is null)
                errors["cursor"] = ["'cursor' is not one this API returned for this sort; pass 'nextCursor' from the previous page."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query = viewer.Visible(db.Conversations.AsNoTracking());
        if (wanted is { } s) query = query.Where(c => c.Status == s);
        if (wantedState is { } st) query = query.Where(c => c.State == st);
        if (onlyRemoved is { } r) query = query.Where(c => c.Removed == r);
        if (wantedTag is not null) query = query.Where(c => db.Set<ConversationTag>().Any(t => t.ConversationId == c.Id && t.Tag == wantedTag));
        if (byPriority == true) query = PriorityOrder.Apply(query, afterPriority);
        else
        {
            if (after is { } a) query = query.Where(c => c.LastMessageAt < a.At || (c.LastMessageAt == a.At && c.Id.CompareTo(a.Id) < 0));
            query = query.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id);
        }

        var rows = await query
            .Take(take + 1)
            .Select(c => new
            {
                c.Id, c.ChannelId, c.Status, c.State, c.LastMessageAt, c.Preview, c.ContactId, c.AcknowledgedAt, c.SnoozedUntil, c.TeamId, c.AssigneeId,
                c.Priority, c.RankedPriority, c.PriorityReasons, c.ReadyAt, c.ReadyAnnounced, c.Removed,
                Kind = db.Channels.Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).First(),
                DisplayName = c.Contact!.DisplayName,
                Handle = db.ContactIdentities.Where(i => i.ContactId == c.ContactId).Select(i => i.Handle).FirstOrDefault(),
            })
            .ToListAsync(ct);

        var items = rows.Take(take).Select(r => new ConversationSummary(r.Id, r.ChannelId, r.Kind, MessageDto.Lower(r.Status),
            ConversationStates.Name(r.State), new ContactSummary(r.ContactId, r.Handle, r.DisplayName), r.LastMessageAt,
            Triage.SensitiveData.MaskSensitive(r.Preview), r.AcknowledgedAt, r.SnoozedUntil, r.TeamId, r.AssigneeId,
            r.Priority, r.RankedPriority, Triage.StoredSignals.ReadReasons(r.PriorityReasons), !r.ReadyAnnounced && r.ReadyAt != null, r.Removed)).ToList();
        var tagged = await ConversationTagLookup.ForAsync(db, items.Select(i => i.Id).ToArray(), ct);
        items = items.Select(i => tagged.Contains(i.Id) ? i with { Tags = tagged[i.Id].ToList() } : i).ToList();
        var next = rows.Count <= take ? null
            : byPriority == true ? PriorityOrder.Encode(items[^1].RankedPriority, items[^1].LastMessageAt, items[^1].Id)
            : EncodeCursor(items[^1].LastMessageAt, items[^1].Id);
        return TypedResults.Ok(new ConversationPage(items, next));
    }

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
