using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServiceLevels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AwaitingReplySince",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastBrandReplyAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "NextClockCheckAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FiredClockEvents",
                columns: table => new
                {
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FiredAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FiredClockEvents", x => new { x.ConversationId, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "ServiceLevelPolicies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Order = table.Column<int>(type: "INTEGER", nullable: false),
                    ChannelKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Visibility = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    TimeToAcknowledge = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    TimeToNextResponse = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    TimeToResolve = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    TimeZoneId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Week = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Holidays = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    PausesWhileWaitingOnCustomer = table.Column<bool>(type: "INTEGER", nullable: false),
                    PausesWhileSnoozed = table.Column<bool>(type: "INTEGER", nullable: false),
                    WarningLeadTimes = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
