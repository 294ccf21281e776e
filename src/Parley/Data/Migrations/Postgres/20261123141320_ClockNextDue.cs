using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ClockNextDue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Before, null meant "look as soon as you can"; now it means "nothing due until something changes".
            // Open conversations not yet looked at get the mark of a change, so the sweep computes their next due instant.
            migrationBuilder.Sql("UPDATE \"Conversations\" SET \"NextClockCheckAt\" = TIMESTAMPTZ '2000-01-01 00:00:00+00' WHERE \"Status\" = 'Open' AND \"NextClockCheckAt\" IS NULL;");
            migrationBuilder.CreateIndex(
                name: "IX_Events_ClockChanges",
                table: "Events",
                columns: new[] { "Subject", "Type" },
                filter: "\"Type\" IN ('conversation.waiting_on_customer', 'conversation.customer_replied', 'conversation.snoozed', 'conversation.woke', 'conversation.resolved', 'conversation.reopened')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_ClockChanges",
                table: "Events");
        }
    }
}
