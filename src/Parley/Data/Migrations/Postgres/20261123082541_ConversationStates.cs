using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ConversationStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AcknowledgedAt",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SnoozedUntil",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "State",
                table: "Conversations",
                // Edited: existing conversations start as New (Resolved ones are set below).
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "New");

            migrationBuilder.AddColumn<string>(
                name: "StateBeforeSnooze",
                table: "Conversations",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "New");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "WaitingSince",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "WakeOnCustomerMessage",
                table: "Conversations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Edited: carry existing resolutions over to the new state column.
            migrationBuilder.Sql("UPDATE \"Conversations\" SET \"State\" = 'Resolved' WHERE \"Status\" = 'Resolved';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AcknowledgedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "SnoozedUntil",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "State",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "StateBeforeSnooze",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "WaitingSince",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "WakeOnCustomerMessage",
                table: "Conversations");
        }
    }
}
