using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Data;
using Parley.Platform.People;

namespace Parley.Conversations;

public static class ListConversations
{
    public static void MapListConversations(this IEndpointRouteBuilder group) =>
        group.MapGet("/", Handle).WithSummary("Lists the conversations the caller may see, newest activity first, a page at a time.");

    private static async Task<Results<Ok<ConversationPage>, ValidationProblem>> Handle(
        ParleyDb db, Viewer viewer, string? status, string? state, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
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
        (DateTimeOffset At, Guid Id)? after = null;
        if (cursor is not null)
        {
            after = DecodeCursor(cursor);
            if (after is null) errors["cursor"] = ["'cursor' is not one this API returned; pass 'nextCursor' from the previous page."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query = viewer.Visible(db.Conversations.AsNoTracking());
        if (wanted is { } s) query = query.Where(c => c.Status == s);
        if (wantedState is { } st) query = query.Where(c => c.State == st);
        if (after is { } a) query = query.Where(c => c.LastMessageAt < a.At || (c.LastMessageAt == a.At && c.Id.CompareTo(a.Id) < 0));

        var rows = await query
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .Take(take + 1)
            .Select(c => new
            {
                c.Id, c.ChannelId, c.Status, c.State, c.LastMessageAt, c.Preview, c.ContactId, c.AcknowledgedAt, c.SnoozedUntil, c.TeamId, c.AssigneeId,
                Kind = db.Channels.Where(ch => ch.Id == c.ChannelId).Select(ch => ch.Kind).First(),
                DisplayName = c.Contact!.DisplayName,
                Handle = db.ContactIdentities.Where(i => i.ContactId == c.ContactId).Select(i => i.Handle).FirstOrDefault(),
            })
            .ToListAsync(ct);

        var items = rows.Take(take).Select(r => new ConversationSummary(r.Id, r.ChannelId, r.Kind, MessageDto.Lower(r.Status),
            ConversationStates.Name(r.State), new ContactSummary(r.ContactId, r.Handle, r.DisplayName), r.LastMessageAt, r.Preview,
            r.AcknowledgedAt, r.SnoozedUntil, r.TeamId, r.AssigneeId)).ToList();
        var next = rows.Count > take ? EncodeCursor(items[^1].LastMessageAt, items[^1].Id) : null;
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
