using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TriageSignals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Signals",
                table: "Messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "BurstStartedAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Priority",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PriorityReasons",
                table: "Conversations",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "RankedPriority",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "ReadyAnnounced",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "ReadyAt",
                table: "Conversations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Removed",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Signals",
                table: "Conversations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "TriageVersion",
                table: "Conversations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Facts",
                table: "Contacts",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FactsUpdatedAt",
                table: "Contacts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "Value",
                table: "Contacts",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TriageSettings",
                columns: table => new
                {
                    BrandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Settings = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TriageSettings", x => x.BrandId);
                    table.ForeignKey(
                        name: "FK_TriageSettings_Brands_BrandId",
                        column: x => x.BrandId,
                        principalTable: "Brands",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_BrandId_Status_TriageVersion",
                table: "Conversations",
                columns: new[] { "BrandId", "Status", "TriageVersion" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_ReadyAnnounced_ReadyAt",
                table: "Conversations",
                columns: new[] { "ReadyAnnounced", "ReadyAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt",
                table: "Conversations",
                columns: new[] { "Status", "RankedPriority", "LastMessageAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TriageSettings");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_BrandId_Status_TriageVersion",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_ReadyAnnounced_ReadyAt",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_Status_RankedPriority_LastMessageAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Signals",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "BurstStartedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Priority",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "PriorityReasons",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "RankedPriority",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "ReadyAnnounced",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "ReadyAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Removed",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Signals",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "TriageVersion",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Facts",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "FactsUpdatedAt",
                table: "Contacts");

            migrationBuilder.DropColumn(
                name: "Value",
                table: "Contacts");
        }
    }
}
