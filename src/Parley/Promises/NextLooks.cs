using Parley.Conversations;
using Parley.Data;

namespace Parley.Promises;

/// <summary>Writes the next due instants of a batch of conversations in one round trip: one conditional
/// UPDATE per conversation, all in a single command inside the caller's transaction. Each only changes the
/// row if the conversation is as it was read (same mark, last message, state and acknowledgement), so a
/// change committed meanwhile keeps its mark and is evaluated again.</summary>
internal static class NextLooks
{
    public static async Task WriteAsync(ParleyDb db, IReadOnlyList<(Conversation Read, DateTimeOffset? Next)> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        // Rows another transaction holds (ingest changing them) are skipped: that change marks them anyway.
        var locked = await ConversationLocks.LockAvailableAsync(db, rows.Select(r => r.Read.Id).ToArray(), ct);
        rows = [.. rows.Where(r => locked.Contains(r.Read.Id))];
        if (rows.Count == 0) return;
        await using var b = new BatchCommand<Conversation>(db);
        foreach (var (read, next) in rows)
        {
            b.Append($"UPDATE {b.Table} SET {b.Column(nameof(Conversation.NextClockCheckAt))} = {b.Value(nameof(Conversation.NextClockCheckAt), next)}")
                .Append($" WHERE {b.Column(nameof(Conversation.Id))} = {b.Value(nameof(Conversation.Id), read.Id)}")
                .Append($" AND {b.Column(nameof(Conversation.Status))} = {b.Value(nameof(Conversation.Status), ConversationStatus.Open)}")
                .Append($" AND {b.Column(nameof(Conversation.NextClockCheckAt))} = {b.Value(nameof(Conversation.NextClockCheckAt), read.NextClockCheckAt)}")
                .Append($" AND {b.Column(nameof(Conversation.LastMessageAt))} = {b.Value(nameof(Conversation.LastMessageAt), read.LastMessageAt)}")
                .Append($" AND {b.Column(nameof(Conversation.State))} = {b.Value(nameof(Conversation.State), read.State)}")
                .Append(read.AcknowledgedAt is { } ack
                    ? $" AND {b.Column(nameof(Conversation.AcknowledgedAt))} = {b.Value(nameof(Conversation.AcknowledgedAt), ack)};"
                    : $" AND {b.Column(nameof(Conversation.AcknowledgedAt))} IS NULL;");
        }
        await b.ExecuteAsync(ct);
    }
}
