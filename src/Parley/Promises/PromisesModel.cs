using Microsoft.EntityFrameworkCore;
using Parley.Platform.Events;

namespace Parley.Promises;

/// <summary>The indexes the service-level sweep's set-based reads use, kept beside the code that queries them.</summary>
public static class PromisesModel
{
    /// <summary>The event types that change a conversation's clocks, in the order of the partial index's filter.
    /// <see cref="ConversationClocks.IsClockChange"/> lists them in the same order: SQLite only uses a partial
    /// index when the query repeats its filter term.</summary>
    public const string ClockChangeFilter =
        "\"Type\" IN ('conversation.waiting_on_customer', 'conversation.customer_replied', 'conversation.snoozed', "
        + "'conversation.woke', 'conversation.resolved', 'conversation.reopened')";

    public static void ConfigurePromises(this ModelBuilder b) =>
        // Only the few state changes the clocks read are indexed by subject, so the busy event log
        // (every message, every assignment) pays nothing for it on insert.
        b.Entity<Event>(e => e.HasIndex(x => new { x.Subject, x.Type }, "IX_Events_ClockChanges").HasFilter(ClockChangeFilter));
}
