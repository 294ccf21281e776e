using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ServiceLevels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AwaitingReplySince",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastBrandReplyAt",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "NextClockCheckAt",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FiredClockEvents",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    FiredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FiredClockEvents", x => new { x.ConversationId, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "ServiceLevelPolicies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BrandId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false),
                    ChannelKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Visibility = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    TimeToAcknowledge = table.Column<TimeSpan>(type: "interval", nullable: true),
                    TimeToNextResponse = table.Column<TimeSpan>(type: "interval", nullable: true),
                    TimeToResolve = table.Column<TimeSpan>(type: "interval", nullable: true),
                    TimeZoneId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Week = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Holidays = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    PausesWhileWaitingOnCustomer = table.Column<bool>(type: "boolean", nullable: false),
                    PausesWhileSnoozed = table.Column<bool>(type: "boolean", nullable: false),
                    WarningLeadTimes = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceLevelPolicies", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_AwaitingReplySince",
                table: "Conversations",
                column: "AwaitingReplySince");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_NextClockCheckAt",
                table: "Conversations",
                columns: new[] { "Status", "NextClockCheckAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceLevelPolicies_BrandId_Order",
                table: "ServiceLevelPolicies",
                columns: new[] { "BrandId", "Order" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FiredClockEvents");

            migrationBuilder.DropTable(
                name: "ServiceLevelPolicies");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_AwaitingReplySince",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_NextClockCheckAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "AwaitingReplySince",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LastBrandReplyAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "NextClockCheckAt",
                table: "Conversations");
        }
    }
}
